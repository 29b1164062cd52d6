import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { STREAMS } from '@hookline/contracts';
import { NatsClient } from '../nats-client';
import { withinDeadline } from './deadline';

/** One WEBHOOKS message as the feed hands it on. */
export interface WebhookFeedMessage {
  /** Its stream sequence. */
  seq: number;
  /** No message was waiting behind it when it arrived: the reader has seen the stream up to now. */
  caughtUp: boolean;
  /** Its JSON body (a WebhookEvent); throws on a body that is not JSON. */
  json<T>(): T;
}

/**
 * The WEBHOOKS stream read from its first message and then followed live, through an ordered
 * consumer of this instance's own (nothing stored on the server, no acks).
 */
@Injectable()
export class WebhookEventsFeed {
  private readonly logger = new Logger('WebhookEventsFeed');
  private messages?: ConsumerMessages;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  /**
   * Starts reading; `onMessage` gets each message in stream order. Resolves once reading has begun,
   * with whether the stream was empty then (so no message will say `caughtUp`).
   */
  async follow(onMessage: (message: WebhookFeedMessage) => void): Promise<{ emptyAtStart: boolean }> {
    const deadlineMs = this.nats.requestTimeoutMs;
    const consumer = await withinDeadline(
      this.nats.js.consumers.get(STREAMS.WEBHOOKS.name, { deliver_policy: DeliverPolicy.All }),
      deadlineMs,
      'opening the webhook events feed',
    );
    const emptyAtStart = (await this.streamState()).messages === 0;
    const messages = await withinDeadline(consumer.consume(), deadlineMs, 'reading the webhook events feed');
    this.messages = messages;
    void (async () => {
      for await (const msg of messages)
        onMessage({ seq: msg.seq, caughtUp: msg.info.pending === 0, json: <T>() => msg.json<T>() });
    })().catch((err: unknown) => this.logger.error({ err: String(err) }, 'webhook events feed ended'));
    return { emptyAtStart };
  }

  /** The sequence of the newest message stored on WEBHOOKS (0: none yet). */
  async lastSequence(): Promise<number> {
    return (await this.streamState()).last_seq;
  }

  async close(): Promise<void> {
    await this.messages?.close();
  }

  private async streamState() {
    const info = await withinDeadline(
      this.nats.jsm.streams.info(STREAMS.WEBHOOKS.name),
      this.nats.requestTimeoutMs,
      'reading the webhook events stream state',
    );
    return info.state;
  }
}
