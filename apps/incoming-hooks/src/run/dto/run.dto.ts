import { PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PipelineRunStateReport, type PipelineRunStatus } from '@hookline/contracts';
import type { VariableValue } from '../../hook/variables';
import type { RunRecord } from '../run.schema';

/** A runner's report: the run is now running, or finished. Its rules are the NATS report's, defined once. */
export class RunStateDto extends PickType(PipelineRunStateReport, ['status', 'message'] as const) {}

export class RunListQueryDto {
  @IsOptional()
  @IsUUID()
  hook_id?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export interface RunResponse {
  id: string;
  pipeline_id: string;
  hook_id: string;
  action_type: string;
  status: PipelineRunStatus;
  variables: Record<string, VariableValue>;
  delivery_id: string | null;
  received_at: string;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
  history: { status: PipelineRunStatus; at: string; message: string | null }[];
}

export function toRunResponse(run: RunRecord): RunResponse {
  return {
    id: run._id,
    pipeline_id: run.pipelineId,
    hook_id: run.hookId,
    action_type: run.actionType,
    status: run.status,
    variables: run.variables,
    delivery_id: run.deliveryId,
    received_at: run.receivedAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
    message: run.message,
    history: run.history.map((entry) => ({
      status: entry.status,
      at: new Date(entry.at).toISOString(),
      message: entry.message,
    })),
  };
}
