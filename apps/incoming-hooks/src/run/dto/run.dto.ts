import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PipelineRunStateReport, REPORTED_RUN_STATUSES, type PipelineRunStatus } from '@hookline/contracts';
import type { VariableValue } from '../../hook/variables';
import type { RunRecord } from '../run.schema';

/** A runner's report: the run is now running, or finished. Its rules are the NATS report's, defined once. */
export class RunStateDto extends PickType(PipelineRunStateReport, ['status', 'message'] as const) {}
// Documented here, as the contracts package carries no OpenAPI metadata.
ApiProperty({ enum: REPORTED_RUN_STATUSES })(RunStateDto.prototype, 'status');
ApiPropertyOptional({ maxLength: 2_000, description: 'Shown with the run, e.g. why it failed.' })(
  RunStateDto.prototype,
  'message',
);

const RUN_STATUSES: PipelineRunStatus[] = ['queued', 'running', 'succeeded', 'failed'];

export class RunListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only runs started by this hook.' })
  @IsOptional()
  @IsUUID()
  hook_id?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, description: 'Newest first; default 50.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RunHistoryEntry {
  @ApiProperty({ enum: RUN_STATUSES }) status!: PipelineRunStatus;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
}

export class RunResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) pipeline_id!: string;
  @ApiProperty({ format: 'uuid' }) hook_id!: string;
  @ApiProperty() action_type!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: PipelineRunStatus;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    description: 'The hook’s variables, taken from the payload.',
  })
  variables!: Record<string, VariableValue>;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The sender’s delivery id, when the hook names its header.',
  })
  delivery_id!: string | null;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finished_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: [RunHistoryEntry] }) history!: RunHistoryEntry[];
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
