import { SetMetadata } from '@nestjs/common';
import type { StreamName } from '@hookline/contracts';

export const JETSTREAM_CONSUMER = Symbol('JETSTREAM_CONSUMER');

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

/** Marks a provider method as the handler of a durable JetStream pull consumer. */
export const JetStreamConsumer = (options: ConsumerOptions): MethodDecorator =>
  SetMetadata(JETSTREAM_CONSUMER, options);
