import { Schema } from 'mongoose';
import type { PipelineRunStatus } from '@hookline/contracts';
import type { VariableValue } from '../hook/variables';

export interface RunStateEntry {
  status: PipelineRunStatus;
  at: Date;
  message: string | null;
}

/** A change message for change-ingest, kept on the run until change-ingest has stored it (outbox). */
export interface PendingChange {
  message_id: string;
  action: 'Created' | 'Updated';
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/** A pipeline run as stored in `pipeline_runs`. */
export interface RunRecord {
  _id: string;
  subscriptionId: number;
  pipelineId: string;
  hookId: string;
  actionType: string;
  variables: Record<string, VariableValue>;
  deliveryId: string | null;
  status: PipelineRunStatus;
  receivedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  message: string | null;
  /** 1 when queued, +1 per state change: orders the changes and makes their message ids. */
  version: number;
  history: RunStateEntry[];
  /** False until PIPELINES has stored the run for the runners. */
  published: boolean;
  outbox: PendingChange[];
}

export const RUN_MODEL = 'PipelineRun';

export const RunSchema = new Schema<RunRecord>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: Number, required: true },
    pipelineId: { type: String, required: true },
    hookId: { type: String, required: true },
    actionType: { type: String, required: true },
    variables: { type: Schema.Types.Mixed, required: true },
    deliveryId: { type: String, default: null },
    status: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    message: { type: String, default: null },
    version: { type: Number, required: true },
    history: { type: Schema.Types.Mixed, required: true },
    published: { type: Boolean, required: true },
    outbox: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'pipeline_runs', versionKey: false, minimize: false },
);
RunSchema.index({ subscriptionId: 1, pipelineId: 1, receivedAt: -1 });
RunSchema.index({ hookId: 1 });
