import { JetStreamApiCodes } from '@nats-io/jetstream';
import type { NatsClient } from '../nats-client';
import { isApiError } from '../streams';

/** How far a durable consumer is behind its stream. */
export interface ConsumerLag {
  /** Messages in the stream the consumer has not been given yet. */
  pending: number;
  /** Messages given to the consumer's instances and not yet acked. */
  ackPending: number;
}

/**
 * Read-only view of durable consumers' lag, for dashboards. Every read has its own deadline, shorter
 * than the client's API timeout, so a slow server costs a page one short wait, not five seconds.
 */
export class ConsumerLagReader {
  constructor(private readonly nats: NatsClient) {}

  /** The consumer's lag; null when it does not exist yet (its service never started). Throws on the deadline. */
  async read(stream: string, durable: string, deadlineMs: number): Promise<ConsumerLag | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`consumer info for ${stream}/${durable} took over ${deadlineMs} ms`)),
        deadlineMs,
      );
    });
    try {
      const info = await Promise.race([this.nats.jsm.consumers.info(stream, durable), deadline]);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    } catch (err) {
      if (isApiError(err, JetStreamApiCodes.ConsumerNotFound) || isApiError(err, JetStreamApiCodes.StreamNotFound))
        return null;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
