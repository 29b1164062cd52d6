import { ApiProperty } from '@nestjs/swagger';
import type { BreakerState } from '../../breaker/origin-breaker.service';

const STATES: BreakerState[] = ['closed', 'open', 'half-open'];

export class BreakerDto {
  @ApiProperty({ description: 'Scheme, host and port of the receivers.', example: 'https://hooks.example.com' })
  Origin!: string;
  @ApiProperty({ enum: STATES }) State!: BreakerState;
  @ApiProperty({ type: 'integer' }) InFlight!: number;
  @ApiProperty({ type: 'integer' }) Waiting!: number;
  @ApiProperty({ type: 'integer' }) Fires!: number;
  @ApiProperty({ type: 'integer' }) Failures!: number;
  @ApiProperty({ type: 'integer' }) Successes!: number;
  @ApiProperty({ type: 'integer', description: 'Deliveries refused while open.' }) Rejects!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) OpenedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) NextProbeAt!: string | null;
  @ApiProperty({ type: 'integer', description: 'Jobs parked until the origin answers again.' }) Parked!: number;
}

export class BreakerListDto {
  @ApiProperty({ type: [BreakerDto] }) Results!: BreakerDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
}

export class WebhookDeliveriesDto {
  @ApiProperty({ format: 'uuid' }) WebhookID!: string;
  @ApiProperty({ type: 'integer', description: 'New, retrying, or held for a blocked URL.' }) Queued!: number;
  @ApiProperty({ type: 'integer' }) Parked!: number;
  @ApiProperty({ type: 'integer', description: 'On this instance.' }) InFlight!: number;
}

export class WebhookDeliveriesListDto {
  @ApiProperty({ type: [WebhookDeliveriesDto] }) Results!: WebhookDeliveriesDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
}
