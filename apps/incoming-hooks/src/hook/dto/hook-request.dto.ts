import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SECRET_ALGORITHMS, type SecretAlgorithm } from '../../hook-receiver/signature';
import { VARIABLE_TYPES, type VariableType } from '../variables';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** One variable of the run, taken from the payload (Devopness seed). */
export class VariableDto {
  @ApiProperty({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', description: 'The variable’s name in the run.' })
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
    message: 'name must start with a letter or _ and hold only letters, digits and _ (at most 64)',
  })
  name: string;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Dot path into the payload, array indexes allowed (`commits[0].id`); absent: always the default.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  path?: string;

  @ApiProperty({ enum: VARIABLE_TYPES })
  @IsIn(VARIABLE_TYPES)
  type: VariableType;

  @ApiPropertyOptional({ description: 'A call whose payload lacks it (and has no default) is refused.' })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: 'A string, number or boolean that converts to `type`.',
  })
  @Allow()
  default_value?: unknown;
}

export class HookSettingsDto {
  @ApiPropertyOptional({ type: [VariableDto], maxItems: 100, description: 'Variables taken from the payload.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => VariableDto)
  variables?: VariableDto[];
}

export class CreateHookDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({
    default: true,
    description: 'Calls must be signed with HMAC; without, the unguessable URL alone guards the hook.',
  })
  @IsOptional()
  @IsBoolean()
  requires_secret?: boolean;

  @ApiPropertyOptional({ enum: SECRET_ALGORITHMS, default: 'sha256' })
  @IsOptional()
  @IsIn(SECRET_ALGORITHMS)
  secret_algorithm?: SecretAlgorithm;

  @ApiPropertyOptional({ maxLength: 100, description: 'Header carrying the signature, e.g. X-Hub-Signature-256.' })
  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'secret_header_name must be an HTTP header name' })
  @MaxLength(100)
  secret_header_name?: string;

  @ApiProperty({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'What the pipeline run does, e.g. deploy.' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,63}$/, {
    message: 'action_type must be lower-case letters, digits, _ or - (e.g. deploy)',
  })
  action_type: string;

  @ApiPropertyOptional({ type: HookSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => HookSettingsDto)
  settings?: HookSettingsDto;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100_000, description: 'Calls beyond it answer 429.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rate_limit_per_minute?: number;

  @ApiPropertyOptional({
    maxLength: 100,
    description: 'Header with the sender’s delivery id (e.g. X-GitHub-Delivery): a repeat starts no second run.',
  })
  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'delivery_id_header_name must be an HTTP header name' })
  @MaxLength(100)
  delivery_id_header_name?: string;
}

export class UpdateHookDto {
  @ApiProperty({ description: 'A disabled hook’s URL answers 404.' })
  @IsBoolean()
  disabled: boolean;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 30 * 24 * 3600,
    description: 'How long the replaced secret still verifies; HOOK_SECRET_GRACE_SECONDS when absent.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  grace_period_seconds?: number;
}
