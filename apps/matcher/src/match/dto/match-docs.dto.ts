import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHANGE_ACTIONS,
  type AttributeChange,
  type AttributeValue,
  type ChangeAction,
  type ChangeMessage,
} from '@hookline/contracts';
import type { MatchClause } from '@hookline/matching';
import type { DryRunResult } from '../match.service';

/** The documented body of a dry run: a change message as the matcher receives it from CHANGES. */
export class ChangeMessageDto implements ChangeMessage {
  @ApiProperty() message_id!: string;
  @ApiProperty({ type: 'integer' }) message_version!: number;
  @ApiProperty({ type: 'integer' }) subscription_id!: number;
  @ApiProperty({
    description:
      "The tenant whose webhooks are tried, for the operator's bootstrap key; any other caller's own subscription is tried instead.",
  })
  tenant!: string;
  @ApiProperty({ enum: CHANGE_ACTIONS }) action!: ChangeAction;
  @ApiProperty() object_id!: string;
  @ApiProperty() object_type!: string;
  @ApiPropertyOptional() ref?: string;
  @ApiPropertyOptional() detail_link?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) project?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) transaction?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Attribute values by attribute UUID.' })
  state!: Record<string, AttributeValue>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Changed attributes by attribute UUID.' })
  changes!: Record<string, AttributeChange>;
  @ApiProperty({ format: 'date-time' }) ingested_at!: string;
}

export class FailedClauseDto {
  @ApiProperty({ description: 'ObjectTypes, Events, Triggers, Expressions[i], Condition or Disabled.' })
  clause!: MatchClause | 'Disabled';
  @ApiProperty() reason!: string;
}

export class DryRunResultDto implements DryRunResult {
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() fires!: boolean;
  @ApiPropertyOptional({ type: FailedClauseDto, description: 'Why it does not fire.' }) failed?: FailedClauseDto;
}

export class DryRunResponseDto {
  @ApiProperty({ type: [DryRunResultDto] }) results!: DryRunResultDto[];
}

export class TenantIndexDto {
  @ApiProperty({ type: 'integer' }) webhooks!: number;
  @ApiProperty({ type: 'integer' }) enabled!: number;
}

export class IndexStatusDto {
  @ApiProperty({ description: 'Whether the index has been rebuilt from the registry since start.' }) loaded!: boolean;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/TenantIndexDto' } })
  tenants!: Record<string, TenantIndexDto>;
  @ApiProperty({ type: 'integer', description: 'Webhook events not yet applied.' }) lag!: number;
}
