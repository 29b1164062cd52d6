import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  isTestDelivery,
  MAX_OUTCOMES_PER_BATCH,
  payloadOfDeliveryJob,
  SUBJECTS,
  type DeliveryJob,
  type DeliveryOutcome,
  type OutcomeKind,
} from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import { activeTraceparent, GroupCommit, tracingOn } from '@hookline/service-kit';
import type { AttemptReport } from './attempt-report';

export interface OutcomeFields extends Omit<AttemptReport, 'kind' | 'retryAfter'> {
  kind: OutcomeKind;
}

/** The fields of a job its outcomes are made of. */
type OutcomeSource = Pick<DeliveryJob, 'deliveryId' | 'tenant' | 'webhookId' | 'messageId' | 'body'>;

/**
 * Least time between the starts of two batch publishes. Under load a batch then holds tens of
 * outcomes instead of the few that arrive during one publish's round trip; a job is acked at most
 * this much later (its receiver already has it), and a lone outcome goes out at once.
 */
const BATCH_SPACING_MS = 10;
/**
 * JSON text per batch message at most, in UTF-16 units: even at 3 bytes each in UTF-8 it stays
 * under NATS's default max_payload of 1 MiB.
 */
const MAX_BATCH_CHARS = 256 * 1024;

/** A failed delivery's body as the registry keeps it; one that is not JSON (no producer makes it) is not kept. */
function savedPayload(job: OutcomeSource): Record<string, unknown> | undefined {
  try {
    return payloadOfDeliveryJob(job);
  } catch {
    return undefined;
  }
}

interface SerializedOutcome {
  outcome: DeliveryOutcome;
  json: string;
  /** Only for an outcome sent alone. */
  msgId: string;
}

/**
 * Outcomes of attempts, plus `held` notices: gathered into DeliveryOutcomeBatch messages on
 * OUTCOME_BATCHES. A test delivery's outcome goes alone on OUTCOMES, where the registry instance
 * that queued the test waits for it on the webhook's subject; so does an outcome too large for a
 * batch. Resolves once JetStream stored the outcome, so the job is acked only after that.
 */
@Injectable()
export class OutcomePublisher {
  private readonly producer = randomUUID();
  private batchSequence = 0;
  private readonly batches = new GroupCommit<SerializedOutcome, void>(
    (items) => this.publishBatches(items),
    MAX_OUTCOMES_PER_BATCH,
    BATCH_SPACING_MS,
  );

  constructor(@Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher) {}

  async publish(job: OutcomeSource, attempt: number, fields: OutcomeFields): Promise<void> {
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
      ...(fields.request !== undefined && { request: fields.request }),
      ...(fields.responseHeaders !== undefined && { responseHeaders: fields.responseHeaders }),
      // The registry keeps a failed delivery's body for inspection and replay.
      ...(fields.kind === 'failed' && { payload: savedPayload(job) }),
    };
    if (tracingOn()) {
      const traceparent = activeTraceparent();
      if (traceparent) outcome.traceparent = traceparent;
    }
    // A hold is not an attempt: its own id keeps it from replacing the attempt's outcome.
    const msgId =
      fields.kind === 'held' ? `${job.deliveryId}:${attempt}:held:${fields.errorKind}` : `${job.deliveryId}:${attempt}`;
    const item = { outcome, json: JSON.stringify(outcome), msgId };
    if (isTestDelivery(job.deliveryId)) return this.publishAlone(item);
    await this.batches.submit(item);
  }

  private async publishAlone({ outcome, json, msgId }: SerializedOutcome): Promise<void> {
    await this.publisher.publishSerialized(SUBJECTS.outcome(outcome.tenant, outcome.webhookId), json, { msgId });
  }

  /** One message per MAX_BATCH_CHARS of outcomes; each outcome settles with its own message. */
  private async publishBatches(items: SerializedOutcome[]): Promise<PromiseSettledResult<void>[]> {
    const messages: { members: number[]; parts: string[]; chars: number }[] = [];
    const alone: number[] = [];
    items.forEach((item, i) => {
      if (item.json.length > MAX_BATCH_CHARS) return alone.push(i);
      let last = messages.at(-1);
      if (!last || last.chars + item.json.length > MAX_BATCH_CHARS) {
        last = { members: [], parts: [], chars: 0 };
        messages.push(last);
      }
      last.members.push(i);
      last.parts.push(item.json);
      last.chars += item.json.length + 1;
    });
    const results: PromiseSettledResult<void>[] = new Array(items.length);
    const settle = async (members: number[], send: () => Promise<void>) => {
      try {
        await send();
        for (const i of members) results[i] = { status: 'fulfilled', value: undefined };
      } catch (reason) {
        for (const i of members) results[i] = { status: 'rejected', reason };
      }
    };
    await Promise.all([
      ...messages.map(({ members, parts }) =>
        settle(members, async () => {
          const msgId = `${this.producer}:${++this.batchSequence}`;
          const json = `{"outcomes":[${parts.join(',')}]}`;
          await this.publisher.publishSerialized(SUBJECTS.outcomeBatch(this.producer), json, { msgId, traced: false });
        }),
      ),
      ...alone.map((i) => settle([i], () => this.publishAlone(items[i]))),
    ]);
    return results;
  }
}
