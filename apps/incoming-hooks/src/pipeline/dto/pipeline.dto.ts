import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { PipelineRecord } from '../pipeline.schema';

export class CreatePipelineDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ maxLength: 2_000 })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string;
}

export class PipelineResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ description: 'The key or user that created it.' }) created_by!: string;
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
