import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, SUBJECTS } from '@hookline/contracts';
import { NatsClient } from '../nats-client';
import { withinDeadline } from './deadline';

/** The delivery jobs waiting on DELIVERIES (new, scheduled for a retry, or held), counted by the server. */
@Injectable()
export class QueuedDeliveries {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  /** The tenant's waiting jobs across all instances, per webhook by its subject token (subjectToken). */
  async perWebhookToken(tenant: string): Promise<Map<string, number>> {
    const prefix = SUBJECTS.delivery(tenant, '');
    const filter = `${prefix.slice(0, prefix.lastIndexOf('.'))}.*`;
    const info = await withinDeadline(
      this.nats.jsm.streams.info(STREAMS.DELIVERIES.name, { subjects_filter: filter }),
      this.nats.requestTimeoutMs,
      'counting queued deliveries',
    );
    return new Map(
      Object.entries(info.state.subjects ?? {}).map(([subject, count]) => [
        subject.slice(subject.lastIndexOf('.') + 1),
        count,
      ]),
    );
  }
}
