import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Check, type Rule } from '../../validation/check';
import type { DispatchFigures, MinuteFigures, OpenBreaker, Overview, QueueHop } from '../overview';

export const DEFAULT_WINDOW_MINUTES = 60;
export const MAX_WINDOW_MINUTES = 1440;

const windowMinutes: Rule = (value, _object, property) =>
  value === undefined ||
  (typeof value === 'string' && /^[1-9]\d{0,3}$/.test(value) && Number(value) <= MAX_WINDOW_MINUTES)
    ? undefined
    : `${property} must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES}`;

export class OverviewQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_WINDOW_MINUTES,
    description: `The window, in minutes up to now; default ${DEFAULT_WINDOW_MINUTES}.`,
  })
  @Check(windowMinutes)
  minutes?: string;
}

export class MinuteFiguresDto implements MinuteFigures {
  @ApiProperty({ format: 'date-time', description: 'The start of the minute.' }) Minute!: string;
  @ApiProperty({ type: 'integer' }) Attempts!: number;
  @ApiProperty({ type: 'integer' }) Failures!: number;
}

export class QueueHopDto implements QueueHop {
  @ApiProperty({ example: 'matcher → dispatcher' }) Hop!: string;
  @ApiProperty({ example: 'DELIVERIES' }) Stream!: string;
  @ApiProperty({ example: 'dispatcher', description: 'The durable consumer reading the stream.' }) Consumer!: string;
  @ApiProperty({ description: 'False when the consumer could not be read in time or does not exist yet.' })
  Available!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Messages not yet given to the consumer.' })
  Pending!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Messages given and not yet acked.' })
  AckPending!: number | null;
}

export class OpenBreakerDto implements OpenBreaker {
  @ApiProperty({ example: 'https://hooks.example.com' }) Origin!: string;
  @ApiProperty({ enum: ['open', 'half-open'] }) State!: 'open' | 'half-open';
  @ApiProperty({ type: 'integer', description: 'Jobs parked until the origin answers again.' }) Parked!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) NextProbeAt!: string | null;
}

export class DispatchFiguresDto implements DispatchFigures {
  @ApiProperty({ description: 'False when no dispatcher answered in time; the other fields are then empty.' })
  Available!: boolean;
  @ApiProperty({ type: [OpenBreakerDto], description: 'Origins whose circuit breaker is not closed.' })
  OpenBreakers!: OpenBreakerDto[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Jobs parked for any origin.' })
  ParkedJobs!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'URLs whose block is in force.' })
  BlockedUrls!: number | null;
}

export class DeliveryOverviewDto implements Overview {
  @ApiProperty({ type: 'integer' }) WindowMinutes!: number;
  @ApiProperty({ format: 'date-time' }) Since!: string;
  @ApiProperty({ type: 'integer', description: 'Delivery attempts in the window (holds not counted).' })
  Attempts!: number;
  @ApiProperty({ type: 'integer' }) Successes!: number;
  @ApiProperty({ type: 'integer', description: 'Attempts that did not succeed, retried or not.' }) Failures!: number;
  @ApiProperty({ description: 'Attempts per second over the window.' }) PerSecond!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Successes over attempts; null before the first.' })
  SuccessRatio!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) LatencyP50Ms!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) LatencyP99Ms!: number | null;
  @ApiProperty({ description: 'True when the window held more attempts than were read; the figures cover the newest.' })
  Sampled!: boolean;
  @ApiProperty({ type: [MinuteFiguresDto], description: 'One entry per minute of the window, oldest first.' })
  PerMinute!: MinuteFiguresDto[];
  @ApiProperty({
    type: [QueueHopDto],
    description:
      "Queue depth per hop between services, for the whole stack (not only the caller's); empty unless the caller is an admin.",
  })
  Queues!: QueueHopDto[];
  @ApiProperty({ type: DispatchFiguresDto }) Dispatch!: DispatchFiguresDto;
}
