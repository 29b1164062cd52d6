import { ApiProperty } from '@nestjs/swagger';
import { SECRET_ALGORITHMS, type SecretAlgorithm } from '../../hook-receiver/signature';
import { hookUrl } from '../hook-url';
import type { HookRecord } from '../hook.schema';
import { VARIABLE_TYPES, type VariableDefinition, type VariableType, type VariableValue } from '../variables';

export class VariableResponse implements VariableDefinition {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty({ enum: VARIABLE_TYPES }) type!: VariableType;
  @ApiProperty() required!: boolean;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], nullable: true })
  default_value!: VariableValue | null;
}

export class HookSettingsResponse {
  @ApiProperty({ type: [VariableResponse] }) variables!: VariableResponse[];
}

export class HookResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) pipeline_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uri', description: 'The hook URL external systems call.' }) url!: string;
  @ApiProperty() requires_secret!: boolean;
  @ApiProperty({ enum: SECRET_ALGORITHMS, nullable: true }) secret_algorithm!: SecretAlgorithm | null;
  @ApiProperty({ type: String, nullable: true }) secret_header_name!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'In clear only in the answers to create and rotate.' })
  secret!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) previous_secret_expires_at!: string | null;
  @ApiProperty() action_type!: string;
  @ApiProperty({ type: HookSettingsResponse }) settings!: HookSettingsResponse;
  @ApiProperty({ type: 'integer', nullable: true }) rate_limit_per_minute!: number | null;
  @ApiProperty({ type: String, nullable: true }) delivery_id_header_name!: string | null;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** What leaves the service about a hook; `clearSecret` is given only right after it was made. */
export function toHookResponse(
  record: HookRecord,
  origin: string,
  clearSecret?: string,
  now = new Date(),
): HookResponse {
  const previous = record.previousSecret && record.previousSecret.expiresAt > now ? record.previousSecret : null;
  return {
    id: record._id,
    pipeline_id: record.pipelineId,
    name: record.name,
    url: hookUrl(origin, record.token),
    requires_secret: record.requiresSecret,
    secret_algorithm: record.requiresSecret ? record.secretAlgorithm : null,
    secret_header_name: record.requiresSecret ? record.secretHeaderName : null,
    secret: clearSecret ?? record.secret?.masked ?? null,
    previous_secret_expires_at: previous ? previous.expiresAt.toISOString() : null,
    action_type: record.actionType,
    settings: { variables: record.variables },
    rate_limit_per_minute: record.rateLimitPerMinute,
    delivery_id_header_name: record.deliveryIdHeaderName,
    disabled: record.disabled,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}
