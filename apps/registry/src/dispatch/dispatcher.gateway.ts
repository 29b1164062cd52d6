import { Injectable } from '@nestjs/common';
import {
  encodeDeliveryJob,
  SUBJECTS,
  type DeliveryOutcome,
  type DispatchStatus,
  type NewDeliveryJob,
} from '@hookline/contracts';
import { JetStreamPublisher, NatsClient, type RequestErrorReply } from '@hookline/messaging';

/** The registry's side of the dispatcher contract: delivery jobs out on DELIVERIES, outcomes back on OUTCOMES. */
@Injectable()
export class DispatcherGateway {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly nats: NatsClient,
  ) {}

  /** Queues a delivery job (a replay); `deliveryId` is also the message id, so a retried request queues it once. */
  async enqueue(job: NewDeliveryJob): Promise<void> {
    await this.publisher.publishBytes(SUBJECTS.delivery(job.tenant, job.webhookId), encodeDeliveryJob(job), {
      msgId: job.deliveryId,
    });
  }

  /**
   * Queues a job and waits for its first outcome. Outcomes are JetStream messages, so a plain NATS
   * subscription on the webhook's outcome subject sees them too, on whichever registry instance
   * is waiting; the durable OUTCOMES consumer is not involved. Null when none arrives in time.
   */
  async deliverAndAwaitOutcome(job: NewDeliveryJob, timeoutMs: number): Promise<DeliveryOutcome | null> {
    let settle: (outcome: DeliveryOutcome | null) => void = () => undefined;
    const result = new Promise<DeliveryOutcome | null>((resolve) => (settle = resolve));
    const subscription = this.nats.connection.subscribe(SUBJECTS.outcome(job.tenant, job.webhookId), {
      callback: (err, msg) => {
        if (err) return;
        const outcome = msg.json<DeliveryOutcome>();
        if (outcome.deliveryId === job.deliveryId) settle(outcome);
      },
    });
    const timer = setTimeout(() => settle(null), timeoutMs);
    try {
      // The subscription reaches the server before the job does: one connection keeps order.
      await this.enqueue(job);
      return await result;
    } finally {
      clearTimeout(timer);
      subscription.unsubscribe();
    }
  }

  /**
   * What holds the tenant's deliveries back, from whichever dispatcher answers first; null when none
   * answers within the deadline or it refuses.
   */
  async status(tenant: string, timeoutMs: number): Promise<DispatchStatus | null> {
    try {
      const reply = await this.nats.connection.request(SUBJECTS.dispatchStatus(tenant), '{}', { timeout: timeoutMs });
      const body = reply.json<DispatchStatus | RequestErrorReply>();
      return 'error' in body ? null : body;
    } catch {
      // No dispatcher is listening, or none answered in time: the overview shows the part as unavailable.
      return null;
    }
  }
}
