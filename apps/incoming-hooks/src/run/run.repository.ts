import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { PipelineRunStatus } from '@hookline/contracts';
import { RUN_MODEL, type PendingChange, type RunRecord, type RunStateEntry } from './run.schema';

export interface RunTransition {
  status: PipelineRunStatus;
  set: Partial<Pick<RunRecord, 'startedAt' | 'finishedAt' | 'message'>>;
  entry: RunStateEntry;
  change: PendingChange;
}

/** All MongoDB access to pipeline runs. Reads for users take the subscription; the outbox works across tenants. */
@Injectable()
export class RunRepository {
  constructor(@InjectModel(RUN_MODEL) private readonly model: Model<RunRecord>) {}

  async insert(record: RunRecord): Promise<void> {
    await this.model.create(record);
  }

  async findById(subscriptionId: number, pipelineId: string, id: string): Promise<RunRecord | null> {
    return this.model.findOne({ _id: id, subscriptionId, pipelineId }).lean<RunRecord>().exec();
  }

  async list(
    subscriptionId: number,
    pipelineId: string,
    filter: { hookId?: string },
    limit: number,
  ): Promise<RunRecord[]> {
    return this.model
      .find({ subscriptionId, pipelineId, ...(filter.hookId ? { hookId: filter.hookId } : {}) })
      .sort({ receivedAt: -1, _id: 1 })
      .limit(limit)
      .lean<RunRecord[]>()
      .exec();
  }

  /**
   * Applies a state change if the run is still at `expectedVersion`, queueing its change message in
   * the same single-document write. Null when another change got there first.
   */
  async transition(
    subscriptionId: number,
    pipelineId: string,
    id: string,
    expectedVersion: number,
    t: RunTransition,
  ): Promise<RunRecord | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, subscriptionId, pipelineId, version: expectedVersion },
        {
          $set: { ...t.set, status: t.status, version: expectedVersion + 1 },
          $push: { history: t.entry, outbox: t.change },
        },
        { returnDocument: 'after' },
      )
      .lean<RunRecord>()
      .exec();
  }

  async findForOutbox(id: string): Promise<RunRecord | null> {
    return this.model.findById(id).lean<RunRecord>().exec();
  }

  async markPublished(id: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { published: true } }).exec();
  }

  async removeFromOutbox(id: string, messageId: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $pull: { outbox: { message_id: messageId } } }).exec();
  }

  /** Runs with work left: not yet on PIPELINES, or changes change-ingest has not confirmed. */
  async withPendingWork(limit: number): Promise<RunRecord[]> {
    return this.model
      .find({ $or: [{ published: false }, { 'outbox.0': { $exists: true } }] })
      .sort({ receivedAt: 1 })
      .limit(limit)
      .lean<RunRecord[]>()
      .exec();
  }
}
