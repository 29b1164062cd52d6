import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { CHANGE_ACTIONS, type ChangeAction } from '@hookline/contracts';
import type { WebhookRulesInput } from '@hookline/matching';
import { FailedClauseDto } from './match-docs.dto';

/** A sample change as a user writes it: the record before and after, attributes by name. */
export class SampleChangeDto {
  @ApiProperty({ enum: CHANGE_ACTIONS }) @IsIn(CHANGE_ACTIONS) action!: ChangeAction;
  @ApiProperty({ example: 'Defect' }) @IsString() @IsNotEmpty() object_type!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The record before the change (Updated, Deleted), attributes by name.',
  })
  @IsOptional()
  @IsObject()
  before?: Record<string, unknown> | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The record after the change (Created, Updated), attributes by name.',
  })
  @IsOptional()
  @IsObject()
  after?: Record<string, unknown> | null;
}

/** The filters of a webhook being edited, as the webhook API takes them. */
export class DraftRulesDto implements WebhookRulesInput {
  @ApiPropertyOptional({ type: [String], description: 'Empty or absent: any object type.' }) ObjectTypes?: unknown;
  @ApiPropertyOptional({ type: [String], description: 'Created, Updated, Deleted; empty or absent: any.' })
  Events?: unknown;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', properties: { ObjectType: { type: 'string' }, Event: { type: 'string' } } },
    description: 'Pairs of object type and event; when given, ObjectTypes and Events are not consulted.',
  })
  Triggers?: unknown;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'AND-ed expressions: AttributeName or AttributeID, Operator, Value.',
  })
  Expressions?: unknown;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'A BMC condition.' }) Condition?: unknown;
}

export class DraftMatchDto {
  @ApiProperty({ type: DraftRulesDto, description: 'Checked as the matcher checks a stored webhook.' })
  @IsObject()
  Webhook!: DraftRulesDto;
  @ApiProperty({ type: SampleChangeDto })
  @ValidateNested()
  @Type(() => SampleChangeDto)
  Change!: SampleChangeDto;
}

export class DraftMatchResponseDto {
  @ApiProperty() fires!: boolean;
  @ApiPropertyOptional({ type: FailedClauseDto, description: 'Why it does not fire.' }) failed?: FailedClauseDto;
}
