import { Schema } from 'mongoose';
import type { SecretAlgorithm } from '../hook-receiver/signature';
import type { VariableDefinition } from './variables';

/** A secret as stored: AES-256-GCM ciphertext plus the masked form responses show. */
export interface StoredSecret {
  encrypted: string;
  masked: string;
}

/** The secret a rotation replaced, still accepted until `expiresAt`. */
export interface PreviousSecret {
  encrypted: string;
  expiresAt: Date;
}

/** An incoming hook as stored in `incoming_hooks`. */
export interface HookRecord {
  _id: string;
  subscriptionId: number;
  pipelineId: string;
  name: string;
  /** The unguessable last segment of the hook URL; it alone finds the hook (and so the tenant). */
  token: string;
  requiresSecret: boolean;
  secretAlgorithm: SecretAlgorithm;
  secretHeaderName: string;
  secret: StoredSecret | null;
  previousSecret: PreviousSecret | null;
  actionType: string;
  variables: VariableDefinition[];
  /** Null: the service's HOOK_RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number | null;
  /** Tried before the service's DELIVERY_ID_HEADERS. */
  deliveryIdHeaderName: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
}

export const HOOK_MODEL = 'IncomingHook';

export const HookSchema = new Schema<HookRecord>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: Number, required: true },
    pipelineId: { type: String, required: true },
    name: { type: String, required: true },
    token: { type: String, required: true, unique: true },
    requiresSecret: { type: Boolean, required: true },
    secretAlgorithm: { type: String, required: true },
    secretHeaderName: { type: String, required: true },
    secret: { type: Schema.Types.Mixed, default: null },
    previousSecret: { type: Schema.Types.Mixed, default: null },
    actionType: { type: String, required: true },
    variables: { type: Schema.Types.Mixed, required: true },
    rateLimitPerMinute: { type: Number, default: null },
    deliveryIdHeaderName: { type: String, default: null },
    disabled: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'incoming_hooks', versionKey: false, minimize: false },
);
HookSchema.index({ subscriptionId: 1, pipelineId: 1, createdAt: 1 });
