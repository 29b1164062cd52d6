import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from '@nats-io/nats-core';
import { SUBJECTS, subjectToken } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { HooklineError } from '@hookline/service-kit';
import { ChangeService } from './change.service';

/**
 * High-rate internal producers publish on `ingest.changes.<subscriptionId>` with a reply
 * subject; the reply says the changes are stored in CHANGES (or why they were refused), so a
 * producer that gets no reply re-sends, and the message-id dedupe makes that harmless.
 */
@Injectable()
export class ChangeNatsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChangeNatsListener');
  private subscription?: Subscription;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly nats: NatsClient,
    private readonly changes: ChangeService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nats.connection.subscribe(SUBJECTS.ingestAll, {
      queue: 'change-ingest',
      callback: (err, msg) => {
        if (err) return;
        const task = this.handle(msg.subject, msg.data)
          .then((reply) => msg.respond(JSON.stringify(reply)))
          .then(() => undefined)
          .finally(() => this.inflight.delete(task));
        this.inflight.add(task);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([...this.inflight]);
  }

  private async handle(subject: string, data: Uint8Array): Promise<unknown> {
    const tenant = subject.split('.').at(-1) ?? '';
    const subscriptionId = Number(tenant);
    if (!Number.isInteger(subscriptionId) || subjectToken(String(subscriptionId)) !== tenant) {
      return {
        error: 'VALIDATION_FAILED',
        details: [{ field: 'subject', reason: 'must end with a numeric subscription id' }],
      };
    }
    try {
      const body: unknown = JSON.parse(new TextDecoder().decode(data));
      return await this.changes.ingest(body, { tenant, subscriptionId });
    } catch (err) {
      if (err instanceof HooklineError) return { error: err.code, message: err.message, details: err.details };
      if (err instanceof SyntaxError)
        return { error: 'VALIDATION_FAILED', details: [{ field: 'body', reason: 'is not valid JSON' }] };
      this.logger.error({ err: String(err) }, 'ingest over NATS failed');
      return { error: 'UNAVAILABLE', message: 'not stored; send again' };
    }
  }
}
