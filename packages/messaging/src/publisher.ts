import { Inject, Injectable } from '@nestjs/common';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { PubAck } from '@nats-io/jetstream';
import { tracingOn } from '@hookline/service-kit';
import { NatsClient } from './nats-client';
import { activeContextHeaders, endPublishSpan, startPublishSpan } from './trace-headers';

export interface PublishOptions {
  /** Sets `Nats-Msg-Id`: the stream drops a second publish with the same id inside its duplicate window. */
  msgId: string;
  headers?: Record<string, string>;
  /**
   * False for a message that gathers the work of many traces (a batch): it carries no trace
   * context, its items carry their own. Traced otherwise, while tracing is on.
   */
  traced?: boolean;
}

const encoder = new TextEncoder();

/** Publishes typed payloads to JetStream; resolves once the stream has stored the message. */
@Injectable()
export class JetStreamPublisher {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async publish(subject: string, payload: unknown, options: PublishOptions): Promise<PubAck> {
    return this.publishSerialized(subject, JSON.stringify(payload), options);
  }

  /** As publish, for a payload already serialised as JSON (e.g. measured or assembled from parts). */
  async publishSerialized(subject: string, json: string, options: PublishOptions): Promise<PubAck> {
    return this.publishBytes(subject, encoder.encode(json), options);
  }

  /** As publish, for a payload already encoded (e.g. a delivery job's own framing). */
  async publishBytes(subject: string, data: Uint8Array, options: PublishOptions): Promise<PubAck> {
    if (tracingOn() && options.traced !== false) {
      const { span, headers } = startPublishSpan(subject, options.msgId, options.headers);
      return endPublishSpan(span, this.nats.js.publish(subject, data, { msgID: options.msgId, headers }));
    }
    const hdrs = options.headers ? natsHeaders() : undefined;
    for (const [name, value] of Object.entries(options.headers ?? {})) hdrs?.set(name, value);
    return this.nats.js.publish(subject, data, {
      msgID: options.msgId,
      headers: hdrs,
    });
  }

  /** Core NATS publish (not stored): a notice for whoever subscribes at this moment; throws once the connection is closed. */
  notify(subject: string, payload: unknown): void {
    this.nats.connection.publish(subject, encoder.encode(JSON.stringify(payload)));
  }

  /**
   * As notify, resolving once the server has the notice (and so has passed it to every subscriber);
   * rejects when it does not confirm within `timeoutMs`.
   */
  async notifyConfirmed(subject: string, payload: unknown, timeoutMs: number): Promise<void> {
    this.notify(subject, payload);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`NATS did not confirm ${subject} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.nats.connection.flush(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Core NATS request/reply (not stored), e.g. asking a tunnel gateway to forward a delivery. */
  async request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const reply = await this.nats.connection.request(subject, encoder.encode(JSON.stringify(payload)), {
      timeout: timeoutMs,
      headers: tracingOn() ? activeContextHeaders() : undefined,
    });
    return reply.json();
  }
}
