import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import type { ChangeAction, WebhookEventKind } from './streams';

export const CHANGE_ACTIONS: readonly ChangeAction[] = ['Created', 'Updated', 'Deleted', 'Recycled'];

/** An attribute's value in a change message, keyed by attribute id (Rally seed). */
export interface AttributeValue {
  value: unknown;
  type: string;
  name: string;
  display_name: string;
  ref: string | null;
}

/** A changed attribute: `old_value` for scalars/objects, `added`/`removed` for collections. */
export interface AttributeChange extends AttributeValue {
  old_value?: unknown;
  added?: unknown[];
  removed?: unknown[];
}

/** Subject `changes.<tenant>.<objectType>.<action>` on stream CHANGES. */
export class ChangeMessage {
  @IsString() @IsNotEmpty() message_id: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsIn(CHANGE_ACTIONS) action: ChangeAction;
  @IsString() @IsNotEmpty() object_id: string;
  @IsString() @IsNotEmpty() object_type: string;
  @IsOptional() @IsString() ref?: string;
  @IsOptional() @IsString() detail_link?: string;
  @IsOptional() @IsObject() project?: Record<string, unknown>;
  @IsOptional() @IsObject() transaction?: Record<string, unknown>;
  @IsObject() state: Record<string, AttributeValue>;
  @IsObject() changes: Record<string, AttributeChange>;
  /** When ingest accepted it, for end-to-end latency. */
  @IsISO8601() ingested_at: string;
}

/** Subject `webhooks.<tenant>.<kind>` on stream WEBHOOKS. `webhook` is absent for `deleted`. */
export class WebhookEvent {
  @IsIn(['created', 'updated', 'deleted']) kind: WebhookEventKind;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsInt() @Min(0) objectVersion: number;
  @IsOptional() @IsObject() webhook?: Record<string, unknown>;
}

export class DeliveryTarget {
  @IsString() @IsNotEmpty() url: string;
  @IsIn(['http', 'websocket']) communicationMethod: 'http' | 'websocket';
  @IsOptional() @IsString() sharedSpace?: string;
}

/** Subject `deliveries.<tenant>.<webhookId>` on stream DELIVERIES; id = message id + webhook id. */
export class DeliveryJob {
  @IsString() @IsNotEmpty() deliveryId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsString() @IsNotEmpty() messageId: string;
  @ValidateNested() @Type(() => DeliveryTarget) target: DeliveryTarget;
  /** The `{ rule, message }` body, serialised once by the matcher. */
  @IsObject() payload: Record<string, unknown>;
  @IsISO8601() createdAt: string;
}

export type OutcomeKind = 'success' | 'retry' | 'failed' | 'gone' | 'held';

/** Subject `outcomes.<tenant>.<webhookId>` on stream OUTCOMES: one per attempt. */
export class DeliveryOutcome {
  @IsString() @IsNotEmpty() deliveryId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() webhookId: string;
  @IsIn(['success', 'retry', 'failed', 'gone', 'held']) kind: OutcomeKind;
  @IsInt() @Min(1) attempt: number;
  @IsOptional() @IsInt() status?: number;
  @IsInt() @Min(0) latencyMs: number;
  @IsOptional() @IsString() error?: string;
  @IsISO8601() at: string;
}

export type PipelineRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** Subject `pipelines.<tenant>.<pipelineId>.runs` on stream PIPELINES. */
export class PipelineRunEvent {
  @IsString() @IsNotEmpty() runId: string;
  @IsString() @IsNotEmpty() tenant: string;
  @IsString() @IsNotEmpty() pipelineId: string;
  @IsString() @IsNotEmpty() hookId: string;
  @IsIn(['queued', 'running', 'succeeded', 'failed']) status: PipelineRunStatus;
  @IsObject() variables: Record<string, unknown>;
  @IsISO8601() at: string;
}
