import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANGE_ACTIONS, type ChangeAction } from '@hookline/contracts';
import type { IngestResult } from '../change.service';
import type { RallyChangeInput, SnapshotChangeInput } from './change-input';

/**
 * The documented shapes of a submitted change. parseChangeInput checks the body (it reports every
 * problem of a batch at once); these classes implement its input types so the two stay in step.
 */
export class RallyChangeInputDto implements RallyChangeInput {
  @ApiProperty({ description: 'Unique per change; a re-sent id is published once.' }) message_id!: string;
  @ApiProperty({ enum: CHANGE_ACTIONS }) action!: ChangeAction;
  @ApiProperty() object_id!: string;
  @ApiProperty({ example: 'HierarchicalRequirement' }) object_type!: string;
  @ApiPropertyOptional() ref?: string;
  @ApiPropertyOptional() detail_link?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '{uuid, name}' })
  project?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '{user, timestamp}' })
  transaction?: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: true },
    description: 'Attribute values by attribute UUID: {name, value, type, ...}.',
  })
  state!: Record<string, Record<string, unknown>>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: true },
    description: 'Changed attributes by UUID: {name, value, old_value, added, removed, ...}.',
  })
  changes?: Record<string, Record<string, unknown>>;
}

export class SnapshotChangeInputDto implements SnapshotChangeInput {
  @ApiPropertyOptional({ description: 'Given by the producer or made by Hookline; a re-sent id is published once.' })
  message_id?: string;
  @ApiProperty({ enum: CHANGE_ACTIONS }) action!: ChangeAction;
  @ApiProperty({ example: 'Defect' }) object_type!: string;
  @ApiProperty() object_id!: string;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'The record before.',
  })
  before?: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'object', nullable: true, additionalProperties: true, description: 'The record after.' })
  after?: Record<string, unknown> | null;
  @ApiPropertyOptional({
    description: 'Who made the change: a name or an object.',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  user?: Record<string, unknown> | string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) project?: Record<string, unknown>;
  @ApiPropertyOptional() ref?: string;
  @ApiPropertyOptional() detail_link?: string;
}

export class IngestResultDto implements IngestResult {
  @ApiProperty({ type: 'integer' }) accepted!: number;
  @ApiProperty({ type: [String], description: 'One per submitted change, in order.' }) message_ids!: string[];
  @ApiProperty({ type: [String], description: 'Ids already accepted recently: acknowledged again, published once.' })
  duplicates!: string[];
}
