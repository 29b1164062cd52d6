import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Ctx, Payload } from '@nestjs/microservices';
import { decodeDeliveryJob, DeliveryJob, PRIOR_ATTEMPTS_HEADER } from '@hookline/contracts';
import { JetStreamContext, JetStreamEvent, type Disposition } from '@hookline/messaging';
import { DISPATCH_CONCURRENCY } from '../config/limits';
import { DeliveryService } from './delivery.service';

/** Adapter from DELIVERIES to DeliveryService. */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class DeliveryController {
  constructor(private readonly deliveries: DeliveryService) {}

  @JetStreamEvent({
    stream: 'DELIVERIES',
    durable: 'dispatcher',
    payload: DeliveryJob,
    decode: decodeDeliveryJob,
    concurrency: DISPATCH_CONCURRENCY,
    // Jobs waiting for a retry are nak'ed with a delay and stay pending on the server until they
    // come back (those for an open breaker or a blocked URL are parked instead). Under the
    // default limit (1,024 here) a dead receiver's jobs filled it within seconds and the server
    // sent nothing else: every healthy receiver waited too. The handlers' slots, not this, bound
    // what the instance holds at once.
    maxAckPending: -1,
  })
  async handle(@Payload() job: DeliveryJob, @Ctx() context: JetStreamContext): Promise<Disposition> {
    const priorAttempts = Number(context.headers?.get(PRIOR_ATTEMPTS_HEADER) || 0);
    return this.deliveries.handle(job, {
      count: context.deliveryCount,
      priorAttempts: Number.isSafeInteger(priorAttempts) && priorAttempts > 0 ? priorAttempts : 0,
      sequence: context.streamSequence,
    });
  }
}
