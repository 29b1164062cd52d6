import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SUBJECTS, type PipelineRunEvent } from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { RunRepository } from './run.repository';
import type { PendingChange, RunRecord } from './run.schema';

/** change-ingest's reply on SUBJECTS.ingest: the stored ids, or why the change was refused. */
interface IngestReply {
  accepted?: number;
  error?: string;
  message?: string;
}

const SEND_ATTEMPTS = 3;
const SWEEP_BATCH = 100;
/** A sweep still going after this long is reported; it runs on (each send has its own deadline). */
const SWEEP_DEADLINE_MS = 60_000;

/**
 * Gets a run to the runners (PIPELINES) and its state changes to change-ingest, each at least once
 * and in order. Work is recorded on the run first, so a crash or an outage only delays it: a
 * periodic sweep finishes whatever a request could not.
 */
@Injectable()
export class RunOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RunOutbox');
  private readonly sweeper: PeriodicTask;
  /** Per run, the send in progress: a run's changes go out one after another, never overlapping. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly runs: RunRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly config: IncomingHooksConfig,
    metrics: MetricsService,
  ) {
    this.sweeper = new PeriodicTask(
      {
        name: 'run-outbox-sweep',
        everyMs: config.RUN_OUTBOX_INTERVAL_MS,
        deadlineMs: SWEEP_DEADLINE_MS,
        job: () => this.sweep(),
      },
      metrics,
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await Promise.allSettled(this.running.values());
  }

  /** Publishes a new run for the runners; false leaves it to the sweep. */
  async publish(run: RunRecord): Promise<boolean> {
    const event: PipelineRunEvent = {
      runId: run._id,
      tenant: String(run.subscriptionId),
      pipelineId: run.pipelineId,
      hookId: run.hookId,
      status: 'queued',
      variables: run.variables,
      at: run.receivedAt.toISOString(),
    };
    try {
      await this.publisher.publish(SUBJECTS.pipelineRun(event.tenant, run.pipelineId), event, {
        msgId: `run:${run._id}`,
      });
      await this.runs.markPublished(run._id);
      return true;
    } catch (err) {
      this.logger.warn({ err: String(err), runId: run._id }, 'run not published yet; the outbox sweep will retry');
      return false;
    }
  }

  /** Sends the run's pending changes to change-ingest in order, without waiting for it. */
  kick(runId: string): void {
    void this.drain(runId);
  }

  /** Sends the run's pending changes in order; resolves when done or given up until the next sweep. */
  drain(runId: string): Promise<void> {
    const previous = this.running.get(runId) ?? Promise.resolve();
    const next = previous.then(() => this.sendPending(runId));
    const tracked = next.finally(() => {
      if (this.running.get(runId) === tracked) this.running.delete(runId);
    });
    this.running.set(runId, tracked);
    return tracked;
  }

  /** Finishes the work requests left on runs; a failure leaves the rest to the next sweep. */
  private async sweep(): Promise<void> {
    for (const run of await this.runs.withPendingWork(SWEEP_BATCH)) {
      if (!run.published && !(await this.publish(run))) continue;
      await this.drain(run._id);
    }
  }

  private async sendPending(runId: string): Promise<void> {
    try {
      const run = await this.runs.findForOutbox(runId);
      if (!run) return;
      for (const change of run.outbox) {
        if (!(await this.send(run, change))) return;
        await this.runs.removeFromOutbox(runId, change.message_id);
      }
    } catch (err) {
      this.logger.warn({ err: String(err), runId }, 'run changes not sent yet; the outbox sweep will retry');
    }
  }

  /** True once change-ingest stored the change, or refused it for good (logged, not retried forever). */
  private async send(run: RunRecord, change: PendingChange): Promise<boolean> {
    const body = { ...change, object_type: 'PipelineRun', object_id: run._id };
    let problem = '';
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      try {
        const reply = (await this.publisher.request(
          SUBJECTS.ingest(String(run.subscriptionId)),
          body,
          this.config.CHANGE_INGEST_TIMEOUT_MS,
        )) as IngestReply;
        if (typeof reply.accepted === 'number') return true;
        if (reply.error === 'VALIDATION_FAILED') {
          this.logger.error(
            { runId: run._id, messageId: change.message_id, reply },
            'change-ingest refused a run change; dropped',
          );
          return true;
        }
        problem = JSON.stringify(reply);
      } catch (err) {
        problem = String(err);
      }
      if (attempt < SEND_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
    }
    this.logger.warn(
      { runId: run._id, problem },
      'change-ingest did not store a run change; the outbox sweep will retry',
    );
    return false;
  }
}
