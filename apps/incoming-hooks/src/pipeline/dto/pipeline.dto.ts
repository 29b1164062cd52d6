import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { PipelineRecord } from '../pipeline.schema';

export class CreatePipelineDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string;
}

export interface PipelineResponse {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  created_by: string;
}

export function toPipelineResponse(record: PipelineRecord): PipelineResponse {
  return {
    id: record._id,
    name: record.name,
    description: record.description,
    created_at: record.createdAt.toISOString(),
    created_by: record.createdBy,
  };
}
