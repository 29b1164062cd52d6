import { Inject, Injectable } from '@nestjs/common';
import { classifyStatus } from '@hookline/delivery';
import { SUBJECTS, type TunnelDeliveryReply, type TunnelDeliveryRequest } from '@hookline/contracts';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/nats-core';
import { JetStreamPublisher } from '@hookline/messaging';
import type { AttemptReport } from '../delivery/attempt-report';

const MAX_EXCERPT_CHARS = 4096;

function isTunnelReply(value: unknown): value is TunnelDeliveryReply {
  const reply = value as Partial<TunnelDeliveryReply> | null;
  return typeof reply?.id === 'string' && typeof reply.status === 'number' && Number.isInteger(reply.status);
}

const noResponders = (err: unknown): boolean =>
  err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
const timedOut = (err: unknown): boolean =>
  err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError);

/**
 * Deliveries of `websocket` webhooks: a core NATS request to whichever gateway holds the shared
 * space's listener. No gateway answering means no listener is connected: a retryable failure.
 */
@Injectable()
export class TunnelClient {
  constructor(@Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher) {}

  async deliver(
    tenant: string,
    sharedSpace: string,
    req: TunnelDeliveryRequest,
    timeoutMs: number,
  ): Promise<AttemptReport> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let reply: unknown;
    try {
      reply = await this.publisher.request(SUBJECTS.tunnelDelivery(tenant, sharedSpace), req, timeoutMs);
    } catch (err) {
      if (noResponders(err)) {
        return {
          kind: 'retry',
          errorKind: 'no-listener',
          error: `no listener connected for shared space ${sharedSpace}`,
          latencyMs: elapsed(),
        };
      }
      if (timedOut(err))
        return {
          kind: 'retry',
          errorKind: 'timeout',
          error: `no tunnel answer within ${timeoutMs} ms`,
          latencyMs: elapsed(),
        };
      return {
        kind: 'retry',
        errorKind: 'connection',
        error: (err as Error).message || String(err),
        latencyMs: elapsed(),
      };
    }
    if (!isTunnelReply(reply) || reply.id !== req.id) {
      return {
        kind: 'failed',
        errorKind: 'invalid-http',
        error: 'tunnel reply is not {id, status} for this delivery',
        latencyMs: elapsed(),
      };
    }
    const outcome = classifyStatus(reply.status);
    return {
      kind: outcome.kind,
      status: reply.status,
      latencyMs: elapsed(),
      responseExcerpt: (reply.body ?? '').slice(0, MAX_EXCERPT_CHARS),
      ...(outcome.errorKind !== undefined && { errorKind: outcome.errorKind, error: `HTTP ${reply.status}` }),
      ...(reply.headers?.['retry-after'] !== undefined && { retryAfter: reply.headers['retry-after'] }),
      ...(reply.headers !== undefined && { responseHeaders: reply.headers }),
    };
  }
}
