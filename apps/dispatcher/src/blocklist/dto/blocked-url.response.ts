import { ApiProperty } from '@nestjs/swagger';
import type { BlockedUrlRecord } from '../blocked-url.schema';

/** A blocked URL as the blocklist API answers it. */
export function toBlockedUrlResponse(record: BlockedUrlRecord) {
  return {
    ID: record._id,
    Url: record.Url,
    WebhookID: record.WebhookID,
    Reason: record.Reason,
    BlockedAt: record.BlockedAt.toISOString(),
    Until: record.Until?.toISOString() ?? null,
    Count: record.Count,
  };
}

export type BlockedUrlResponse = ReturnType<typeof toBlockedUrlResponse>;

export class BlockedUrlResponseDto implements BlockedUrlResponse {
  @ApiProperty({ description: 'Id to unblock it with (percent-encoded as one path segment).' }) ID!: string;
  @ApiProperty({ format: 'uri' }) Url!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The webhook whose deliveries caused the block.' })
  WebhookID!: string | null;
  @ApiProperty({ description: 'Why the dispatcher blocked it (slow or wrong answers).' }) Reason!: string;
  @ApiProperty({ format: 'date-time' }) BlockedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null: until an admin unblocks it.' })
  Until!: string | null;
  @ApiProperty({ type: 'integer', description: 'Times blocked, this block included.' }) Count!: number;
}

export class BlockedUrlPageDto {
  @ApiProperty({ type: [BlockedUrlResponseDto] }) Results!: BlockedUrlResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
  @ApiProperty({ type: 'integer' }) PageSize!: number;
  @ApiProperty({ type: 'integer' }) StartIndex!: number;
}
