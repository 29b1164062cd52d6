import { Schema } from 'mongoose';

/** A pipeline as stored in `pipelines`: what incoming hooks trigger, owned by one subscription. */
export interface PipelineRecord {
  _id: string;
  subscriptionId: number;
  name: string;
  description: string | null;
  createdAt: Date;
  createdBy: string;
}

export const PIPELINE_MODEL = 'Pipeline';

export const PipelineSchema = new Schema<PipelineRecord>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: Number, required: true },
    name: { type: String, required: true },
    description: { type: String, default: null },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'pipelines', versionKey: false },
);
PipelineSchema.index({ subscriptionId: 1, createdAt: 1 });
