import { Injectable } from '@nestjs/common';
import { encodeDeliveryJob, SUBJECTS, type ChangeMessage, type NewDeliveryJob } from '@hookline/contracts';
import {
  compileWebhook,
  diffSnapshots,
  matchWebhook,
  renderPayload,
  uuidv5,
  validateWebhook,
  type MatchClause,
  type MatchResult,
  type SnapshotChange,
  type WebhookDefinition,
  type WebhookRulesInput,
} from '@hookline/matching';
import { HooklineError } from '@hookline/service-kit';
import { JetStreamPublisher } from '@hookline/messaging';
import type { IndexedWebhook } from '../index/indexed-webhook';
import { WebhookIndexService } from '../index/webhook-index.service';

/** Fixed forever: delivery ids (and so receivers' `webhook-id` dedupe keys) derive from it. */
const DELIVERY_ID_NAMESPACE = 'b7d5d1c2-5f3e-4c51-9f0a-3c1f1a6e2d44';

export interface DryRunResult {
  webhookId: string;
  name: string;
  fires: boolean;
  failed?: { clause: MatchClause | 'Disabled'; reason: string };
}

export interface DraftRunResult {
  fires: boolean;
  failed?: { clause: MatchClause; reason: string };
}

/**
 * The id of the one delivery a (change message, webhook) pair can produce. A redelivered change
 * yields the same id, which JetStream's dedupe (Nats-Msg-Id) turns into a single job.
 */
export function deliveryIdOf(tenant: string, messageId: string, webhookId: string): string {
  return `msg_${uuidv5(`${tenant}\n${messageId}\n${webhookId}`, DELIVERY_ID_NAMESPACE).replace(/-/g, '')}`;
}

@Injectable()
export class MatchService {
  constructor(
    private readonly webhooks: WebhookIndexService,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /** One delivery job per enabled webhook that matches the change. */
  jobsFor(message: ChangeMessage): NewDeliveryJob[] {
    const now = new Date().toISOString();
    return this.webhooks.index.match(message).flatMap((compiled) => {
      const webhook = this.webhooks.get(message.tenant, compiled.def.id);
      if (!webhook) return [];
      const payload = renderPayload(webhook.rule, message, webhook.def);
      return [this.job(message, webhook, payload as Record<string, unknown>, now)];
    });
  }

  async publish(jobs: NewDeliveryJob[]): Promise<void> {
    await Promise.all(
      jobs.map((job) =>
        this.publisher.publishBytes(SUBJECTS.delivery(job.tenant, job.webhookId), encodeDeliveryJob(job), {
          msgId: job.deliveryId,
        }),
      ),
    );
  }

  /** Which webhooks of `tenant` would fire for the change, and for the others the clause that failed. */
  dryRun(tenant: string, message: ChangeMessage): DryRunResult[] {
    return this.webhooks.all(tenant).map((webhook) => {
      const base = { webhookId: webhook.def.id, name: webhook.rule.Name };
      if (webhook.def.Disabled)
        return { ...base, fires: false, failed: { clause: 'Disabled' as const, reason: 'the webhook is disabled' } };
      const result = matchWebhook(compileWebhook(webhook.def), message);
      return result.matched ? { ...base, fires: true } : { ...base, fires: false, failed: result.failed };
    });
  }

  /**
   * Whether a webhook with these filters would fire for the sample change: the live dry run of a
   * webhook being edited, before it is saved. Filters the matcher would refuse are a 400 naming
   * each field as the webhook API does (`Webhook.Expressions.0.Value`).
   */
  draftRun(rules: WebhookRulesInput, change: SnapshotChange): DraftRunResult {
    const problems = validateWebhook(rules);
    if (problems.length > 0)
      throw HooklineError.validation(
        problems.map(({ field, reason }) => ({ field: `Webhook.${field.replace(/\[(\d+)\]/g, '.$1')}`, reason })),
        'The webhook’s filters are not valid',
      );
    const compiled = compileWebhook({
      id: 'draft',
      tenant: 'draft',
      ObjectTypes: [],
      Events: [],
      Expressions: [],
      Disabled: false,
      ...(rules as Partial<WebhookDefinition>),
    });
    const result: MatchResult = matchWebhook(compiled, {
      action: change.action,
      object_type: change.object_type,
      ...diffSnapshots(change),
    });
    return result.matched ? { fires: true } : { fires: false, failed: result.failed };
  }

  private job(
    message: ChangeMessage,
    webhook: IndexedWebhook,
    payload: Record<string, unknown>,
    now: string,
  ): NewDeliveryJob {
    return {
      deliveryId: deliveryIdOf(message.tenant, message.message_id, webhook.def.id),
      tenant: message.tenant,
      webhookId: webhook.def.id,
      messageId: message.message_id,
      spec: webhook.spec,
      payload,
      createdAt: now,
    };
  }
}
