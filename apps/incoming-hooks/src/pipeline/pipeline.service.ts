import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@hookline/auth';
import { HooklineError } from '@hookline/service-kit';
import type { CreatePipelineDto } from './dto/pipeline.dto';
import { PipelineRepository } from './pipeline.repository';
import type { PipelineRecord } from './pipeline.schema';

@Injectable()
export class PipelineService {
  constructor(private readonly pipelines: PipelineRepository) {}

  async create(principal: Principal, input: CreatePipelineDto): Promise<PipelineRecord> {
    return this.pipelines.insert({
      _id: randomUUID(),
      subscriptionId: principal.subscriptionId,
      name: input.name,
      description: input.description ?? null,
      createdAt: new Date(),
      createdBy: principal.keyId,
    });
  }

  async list(principal: Principal): Promise<PipelineRecord[]> {
    return this.pipelines.list(principal.subscriptionId);
  }

  /** The caller's pipeline; another subscription's is as absent as one that never existed. */
  async get(principal: Principal, id: string): Promise<PipelineRecord> {
    const pipeline = await this.pipelines.findById(principal.subscriptionId, id);
    if (!pipeline) throw HooklineError.notFound(`Pipeline ${id}`);
    return pipeline;
  }
}
