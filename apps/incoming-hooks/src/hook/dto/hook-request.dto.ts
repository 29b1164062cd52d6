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
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
    message: 'name must start with a letter or _ and hold only letters, digits and _ (at most 64)',
  })
  name: string;

  /** Dot path into the payload, array indexes allowed (`commits[0].id`); absent: always the default. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  path?: string;

  @IsIn(VARIABLE_TYPES)
  type: VariableType;

  @IsOptional()
  @IsBoolean()
  required?: boolean;

  /** A string, number or boolean that converts to `type`; checked by the service. */
  @Allow()
  default_value?: unknown;
}

export class HookSettingsDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => VariableDto)
  variables?: VariableDto[];
}

export class CreateHookDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  /** Defaults to true: a hook URL without a secret is guarded by its unguessable URL alone. */
  @IsOptional()
  @IsBoolean()
  requires_secret?: boolean;

  @IsOptional()
  @IsIn(SECRET_ALGORITHMS)
  secret_algorithm?: SecretAlgorithm;

  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'secret_header_name must be an HTTP header name' })
  @MaxLength(100)
  secret_header_name?: string;

  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,63}$/, {
    message: 'action_type must be lower-case letters, digits, _ or - (e.g. deploy)',
  })
  action_type: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => HookSettingsDto)
  settings?: HookSettingsDto;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rate_limit_per_minute?: number;

  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'delivery_id_header_name must be an HTTP header name' })
  @MaxLength(100)
  delivery_id_header_name?: string;
}

export class UpdateHookDto {
  @IsBoolean()
  disabled: boolean;
}

export class RotateSecretDto {
  /** How long the replaced secret still verifies; the service's HOOK_SECRET_GRACE_SECONDS when absent. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  grace_period_seconds?: number;
}
