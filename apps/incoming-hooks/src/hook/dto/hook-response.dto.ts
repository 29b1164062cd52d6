import type { SecretAlgorithm } from '../../hook-receiver/signature';
import { hookUrl } from '../hook-url';
import type { HookRecord } from '../hook.schema';
import type { VariableDefinition } from '../variables';

export interface HookResponse {
  id: string;
  pipeline_id: string;
  name: string;
  url: string;
  requires_secret: boolean;
  secret_algorithm: SecretAlgorithm | null;
  secret_header_name: string | null;
  /** In clear only in the answers to create and rotate; masked everywhere else. */
  secret: string | null;
  previous_secret_expires_at: string | null;
  action_type: string;
  settings: { variables: VariableDefinition[] };
  rate_limit_per_minute: number | null;
  delivery_id_header_name: string | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
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
