import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PIPELINE_MODEL, type PipelineRecord } from './pipeline.schema';

/** All MongoDB access to pipelines; every method takes the subscription, so no query can forget it. */
@Injectable()
export class PipelineRepository {
  constructor(@InjectModel(PIPELINE_MODEL) private readonly model: Model<PipelineRecord>) {}

  async insert(record: PipelineRecord): Promise<PipelineRecord> {
    return (await this.model.create(record)).toObject<PipelineRecord>();
  }

  async findById(subscriptionId: number, id: string): Promise<PipelineRecord | null> {
    return this.model.findOne({ _id: id, subscriptionId }).lean<PipelineRecord>().exec();
  }

  async list(subscriptionId: number): Promise<PipelineRecord[]> {
    return this.model.find({ subscriptionId }).sort({ createdAt: 1, _id: 1 }).lean<PipelineRecord[]>().exec();
  }
}
