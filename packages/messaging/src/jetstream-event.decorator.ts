import { EventPattern } from '@nestjs/microservices';
import { STREAMS, type StreamName } from '@hookline/contracts';

/** What a durable pull consumer is: the extras of its `@EventPattern` (see JetStreamEvent). */
export interface ConsumerOptions {
  stream: StreamName;
  /** Durable consumer name, shared by every instance of the service so they split the work. */
  durable: string;
  /** Only messages on these subjects (default: the whole stream). */
  filterSubject?: string;
  /** Class-validator DTO the payload must satisfy; a message that does not is terminated and logged. */
  payload?: new () => object;
  /** Reads a message's bytes into the payload to validate (default: JSON); a throw terminates it as poison. */
  decode?: (data: Uint8Array) => unknown;
  /** Messages handled at once by one instance. */
  concurrency?: number;
  /**
   * How long a message may stay unacked before the server redelivers it (default 15 s). The runner
   * tells the server every third of it that a handler still running is in work, so this is how
   * long a crashed instance's messages wait, not a limit on a handler.
   */
  ackWaitMs?: number;
  /**
   * Messages delivered and not yet acked that the server allows, -1 for no limit (default: four
   * times `concurrency`, at least 1,000). A message nak'ed with a delay still counts until it is
   * delivered again, and at the limit the server delivers nothing else to the durable.
   */
  maxAckPending?: number;
  /** Where a new durable starts: `all` (default) or `new` (only messages published from now on). */
  deliverFrom?: 'all' | 'new';
}

/** The subject pattern a consumer's handler is registered under: its filter, else its stream's subjects. */
export function consumerPattern(options: ConsumerOptions): string {
  return options.filterSubject ?? STREAMS[options.stream].subjects.join(',');
}

/**
 * `@EventPattern` with typed extras: the method handles a durable JetStream pull consumer run by
 * JetStreamServer. It returns a Disposition (nothing means ack); a throw naks with a growing delay.
 */
export const JetStreamEvent = (options: ConsumerOptions): MethodDecorator =>
  EventPattern(consumerPattern(options), { ...options }) as MethodDecorator;
