import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Msg } from '@nats-io/nats-core';
import { SUBJECTS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { gatewayReply, parseDeliveryRequest } from './frames';
import { SpaceSubscriptions, type DeliveryHandler, type SpaceSubscription } from './space-subscriptions';

/** Every gateway instance joins one queue group, so each request is answered by one instance only. */
export const TUNNEL_QUEUE_GROUP = 'tunnel-gateway';

const encoder = new TextEncoder();

/** Dispatcher requests for a shared space, as a core NATS queue subscription on its tunnel subject. */
@Injectable()
export class NatsSpaceSubscriptions extends SpaceSubscriptions {
  private readonly logger = new Logger('TunnelSubscriptions');

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {
    super();
  }

  open(tenant: string, sharedSpace: string, handle: DeliveryHandler): SpaceSubscription {
    const subject = SUBJECTS.tunnelDelivery(tenant, sharedSpace);
    const subscription = this.nats.connection.subscribe(subject, {
      queue: TUNNEL_QUEUE_GROUP,
      callback: (err, msg) => {
        if (err) {
          this.logger.warn(`subscription ${subject} failed: ${err.message}`);
          return;
        }
        this.answer(msg, handle).catch((error: unknown) =>
          this.logger.warn(`could not answer on ${subject}: ${(error as Error).message}`),
        );
      },
    });
    return {
      // The flush round-trip guarantees the server has the subscription before the listener hears "ready".
      ready: this.nats.connection.flush(),
      close: () => subscription.unsubscribe(),
    };
  }

  private async answer(msg: Msg, handle: DeliveryHandler): Promise<void> {
    const request = parseDeliveryRequest(msg.string());
    const reply = request
      ? await handle(request)
      : gatewayReply('', 400, 'tunnel request is not {id, webhookId, headers, body}');
    if (!msg.respond(encoder.encode(JSON.stringify(reply))))
      this.logger.warn(`delivery ${reply.id} answered ${reply.status} but the request had no reply subject`);
  }
}
