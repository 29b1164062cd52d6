import { Inject, Injectable } from '@nestjs/common';
import { SUBJECTS, type DeliveryJob, type DeliveryOutcome, type OutcomeKind } from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import type { AttemptReport } from './attempt-report';

export interface OutcomeFields extends Omit<AttemptReport, 'kind' | 'retryAfter'> {
  kind: OutcomeKind;
}

/** Outcomes on OUTCOMES, one per attempt (msgId `<deliveryId>:<attempt>`), plus `held` notices. */
@Injectable()
export class OutcomePublisher {
  constructor(@Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher) {}

  async publish(job: DeliveryJob, attempt: number, fields: OutcomeFields): Promise<void> {
    const outcome: DeliveryOutcome = {
      deliveryId: job.deliveryId,
      tenant: job.tenant,
      webhookId: job.webhookId,
      kind: fields.kind,
      attempt,
      latencyMs: fields.latencyMs,
      at: new Date().toISOString(),
      messageId: job.messageId,
      ...(fields.status !== undefined && { status: fields.status }),
      ...(fields.error !== undefined && { error: fields.error }),
      ...(fields.errorKind !== undefined && { errorKind: fields.errorKind }),
      ...(fields.responseExcerpt !== undefined && { responseExcerpt: fields.responseExcerpt }),
      // The registry keeps a failed delivery's body for inspection and replay.
      ...(fields.kind === 'failed' && { payload: job.payload }),
    };
    // A hold is not an attempt: its own id keeps it from replacing the attempt's outcome.
    const msgId =
      fields.kind === 'held' ? `${job.deliveryId}:${attempt}:held:${fields.errorKind}` : `${job.deliveryId}:${attempt}`;
    await this.publisher.publish(SUBJECTS.outcome(job.tenant, job.webhookId), outcome, { msgId });
  }
}
