import { Injectable } from '@nestjs/common';
import { DeliveryJob } from '@hookline/contracts';
import { JetStreamConsumer, type Disposition, type MessageContext } from '@hookline/messaging';
import { DISPATCH_CONCURRENCY } from '../config/limits';
import { DeliveryService } from './delivery.service';

const ACK_WAIT_MS = 60_000;
/** Tells JetStream a slow job is still being worked on, well before ACK_WAIT_MS runs out. */
const HEARTBEAT_MS = 20_000;

/** Adapter from DELIVERIES to DeliveryService. */
@Injectable()
export class DeliveryConsumer {
  constructor(private readonly deliveries: DeliveryService) {}

  @JetStreamConsumer({
    stream: 'DELIVERIES',
    durable: 'dispatcher',
    payload: DeliveryJob,
    concurrency: DISPATCH_CONCURRENCY,
    ackWaitMs: ACK_WAIT_MS,
    // Jobs waiting for a retry, an open breaker or a blocked URL are nak'ed with a delay and stay
    // pending on the server until they come back. Under the default limit (1,024 here) a dead
    // receiver's jobs filled it within seconds and the server sent nothing else: every healthy
    // receiver waited too. The handlers' slots, not this, bound what the instance holds at once.
    maxAckPending: -1,
  })
  async handle(job: DeliveryJob, context: MessageContext): Promise<Disposition> {
    const heartbeat = setInterval(() => context.working(), HEARTBEAT_MS);
    try {
      return await this.deliveries.handle(job, context.deliveryCount);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
