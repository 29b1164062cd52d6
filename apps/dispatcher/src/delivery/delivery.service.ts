import { Inject, Injectable, Logger } from '@nestjs/common';
import { SecretBox } from '@hookline/auth';
import { isTestDelivery, type DeliveryJob, type DeliverySpec } from '@hookline/contracts';
import { requestHeaders } from '@hookline/delivery';
import { Ack, DeliveryAttemptsBucket, nakAfter, term, type Disposition } from '@hookline/messaging';
import { BoundedSet, MetricsService, tracingOn } from '@hookline/service-kit';
import type { Counter, Histogram } from 'prom-client';
import { BlocklistService } from '../blocklist/blocklist.service';
import { OriginBreaker, type OriginRun } from '../breaker/origin-breaker.service';
import { DispatcherConfig } from '../config/dispatcher.config';
import { GoneWebhooks } from '../gone/gone-webhooks.service';
import { TargetPolicy } from '../outbound/target-policy.service';
import { ParkedJobs } from '../parking/parked-jobs.service';
import { TunnelClient } from '../tunnel/tunnel.client';
import { inAttemptSpan } from './attempt-span';
import { countsAgainstOrigin, notSent, type AttemptReport } from './attempt-report';
import {
  decideDelivery,
  type DecisionSettings,
  type DeliveryDecision,
  type HeldNotice,
  type JobHistory,
  type JobResult,
} from './delivery-decision';
import { HttpSender } from './http-sender.service';
import { OutcomePublisher, type OutcomeFields } from './outcome.publisher';
import {
  attemptHeaders,
  InvalidJobError,
  loggedRequest,
  prepareDelivery,
  SecretOpener,
  type PreparedDelivery,
} from './prepared-delivery';

/** Which delivery of a job this is, from JetStream and the job's headers. */
export interface JobDelivery {
  /** JetStream's delivery count on DELIVERIES: 1 is the first since the job was stored there. */
  count: number;
  /** Attempts made before the job was parked and released again (0: never parked). */
  priorAttempts: number;
  /** The job's DELIVERIES stream sequence. */
  sequence: number;
}

export interface WebhookLoad {
  tenant: string;
  webhookId: string;
  /** Jobs this instance is working on: waiting for an origin slot or being sent. */
  inFlight: number;
}

/**
 * Held notices remembered, so a job held again and again is reported once per attempt. Past this
 * many held jobs (a few minutes of a dead receiver's share of the traffic) every hold is reported
 * again, and each copy makes the registry's whole batch insert fall back to one insert per entry.
 * About 10 MB at most.
 */
const MAX_HELD_NOTICES = 100_000;

const utf8 = new TextDecoder();

/**
 * The life of one delivery job: checks (spec, gone webhook, blocklist, SSRF and HTTP policy), one
 * attempt through the origin's budget and breaker, then what decideDelivery says: ack, a retry by
 * nak-with-delay, a hold or a park (neither counts as an attempt), or a term for a poison job. This
 * class carries the decision out (outcomes, attempt counts, parking); docs/delivery-lifecycle.md maps it.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('Delivery');
  private readonly load = new Map<string, WebhookLoad>();
  private readonly heldNotices = new BoundedSet<string>(MAX_HELD_NOTICES);
  private readonly attemptsTotal: Counter<'kind'>;
  private readonly latency: Histogram<'kind'>;
  private readonly secrets: SecretOpener;
  private readonly settings: DecisionSettings;

  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    @Inject(SecretBox) box: SecretBox,
    private readonly attempts: DeliveryAttemptsBucket,
    private readonly outcomes: OutcomePublisher,
    private readonly gone: GoneWebhooks,
    private readonly blocklist: BlocklistService,
    private readonly targets: TargetPolicy,
    private readonly origins: OriginBreaker,
    private readonly parked: ParkedJobs,
    private readonly http: HttpSender,
    private readonly tunnel: TunnelClient,
    metrics: MetricsService,
  ) {
    this.secrets = new SecretOpener(box);
    this.settings = {
      HOLD_RECHECK_MS: config.HOLD_RECHECK_MS,
      HOLD_MAX_SPREAD_MS: config.HOLD_MAX_SPREAD_MS,
      RETRY_MAX_DELAY_MS: config.RETRY_MAX_DELAY_MS,
      random: Math.random,
    };
    this.attemptsTotal = metrics.counter('hookline_delivery_attempts_total', 'Delivery attempts and holds by outcome', [
      'kind',
    ]);
    this.latency = metrics.histogram(
      'hookline_delivery_latency_seconds',
      'Receiver latency per attempt',
      ['kind'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  async handle(job: DeliveryJob, delivery: JobDelivery): Promise<Disposition> {
    const attempt = this.attemptNumber(job, delivery);
    const spec = job.spec;
    // Validation lets an absent `spec` through (@ValidateNested skips undefined): record such a job
    // and term it here, as throwing would retry it forever.
    if (!spec)
      return this.carryOut(
        job,
        delivery,
        attempt,
        decideDelivery({ kind: 'undeliverable', reason: 'job has no delivery spec' }),
      );
    if (this.gone.has(job.tenant, job.webhookId)) {
      this.logger.debug({ deliveryId: job.deliveryId, webhookId: job.webhookId }, 'dropped: webhook answered 410 Gone');
      return this.carryOut(job, delivery, attempt, decideDelivery({ kind: 'webhook-gone' }));
    }
    let prepared: PreparedDelivery;
    try {
      prepared = prepareDelivery(job, spec, this.secrets);
    } catch (err) {
      if (err instanceof InvalidJobError)
        return this.carryOut(job, delivery, attempt, decideDelivery({ kind: 'undeliverable', reason: err.message }));
      throw err;
    }
    const key = `${job.tenant}\n${job.webhookId}`;
    const load = this.load.get(key) ?? { tenant: job.tenant, webhookId: job.webhookId, inFlight: 0 };
    load.inFlight++;
    this.load.set(key, load);
    try {
      return spec.CommunicationMethod === 'websocket'
        ? await this.viaTunnel(job, spec, prepared, attempt, delivery)
        : await this.viaHttp(job, spec, prepared, attempt, delivery);
    } finally {
      if (--load.inFlight === 0) this.load.delete(key);
    }
  }

  /** Webhooks of the tenant this instance is working on now. */
  loadOf(tenant: string): WebhookLoad[] {
    return [...this.load.values()].filter((l) => l.tenant === tenant).map((l) => ({ ...l }));
  }

  /**
   * The number of the attempt this delivery is up to, read at most once and only when needed: a job
   * turned away by a busy origin comes back many times and must stay cheap.
   */
  private attemptNumber(job: DeliveryJob, delivery: JobDelivery): () => Promise<number> {
    let known: Promise<number> | undefined;
    return () =>
      (known ??=
        delivery.count === 1
          ? Promise.resolve(delivery.priorAttempts + 1)
          : this.attempts.made(job.deliveryId).then((made) => made + 1));
  }

  private async viaHttp(
    job: DeliveryJob,
    spec: DeliverySpec,
    prepared: PreparedDelivery,
    attempt: () => Promise<number>,
    delivery: JobDelivery,
  ): Promise<Disposition> {
    const url = spec.TargetUrl;
    const block = this.blocklist.blockOf(job.tenant, url);
    if (block) {
      const untilMs = block.Until === null ? null : block.Until.getTime();
      return this.decide(job, spec, delivery, attempt, {
        kind: 'url-blocked',
        blockId: block._id,
        reason: block.Reason,
        untilMs,
      });
    }
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      const report = notSent('refused', `"${url}" is not a valid URL`, false);
      return this.decide(job, spec, delivery, attempt, { kind: 'attempted', report });
    }
    // Resolved and checked only once the origin has a slot, so a job turned away costs no DNS lookup.
    const send = async (): Promise<AttemptReport> => {
      await attempt();
      const check = await this.targets.check(url);
      if (!check.ok) return notSent(check.retryable ? 'connection' : 'refused', check.reason, check.retryable);
      return this.http.send(job.deliveryId, prepared, check.target);
    };
    const run = await this.origins.run(
      origin,
      job.tenant,
      this.traced(job, attempt, origin, send),
      countsAgainstOrigin,
    );
    if (run.kind === 'ran' && run.value.errorKind !== 'refused') {
      try {
        await this.blocklist.observe(job.tenant, job.webhookId, url, run.value);
      } catch (err) {
        // The attempt happened and must be settled; the next slow answer will try the block again.
        this.logger.warn({ url, err: String(err) }, 'could not record a blocked URL');
      }
    }
    return this.decide(job, spec, delivery, attempt, resultOf(run, origin));
  }

  private async viaTunnel(
    job: DeliveryJob,
    spec: DeliverySpec,
    prepared: PreparedDelivery,
    attempt: () => Promise<number>,
    delivery: JobDelivery,
  ): Promise<Disposition> {
    if (!spec.SharedSpace) {
      const report = notSent('invalid-job', 'websocket webhook without SharedSpace', false);
      return this.decide(job, spec, delivery, attempt, { kind: 'attempted', report });
    }
    const space = spec.SharedSpace;
    const viaListener = async (authorization?: string): Promise<AttemptReport> => {
      let headers: Record<string, string>;
      try {
        // The listener POSTs these as they are, so they are the ones an HTTP delivery would carry.
        headers = requestHeaders(
          attemptHeaders(job.deliveryId, prepared, Math.floor(Date.now() / 1000), authorization),
        );
      } catch (err) {
        return notSent('invalid-job', (err as Error).message, false);
      }
      // The target lets one listener route each webhook to its own local receiver.
      const body = utf8.decode(prepared.body);
      const request = { id: job.deliveryId, webhookId: job.webhookId, targetUrl: spec.TargetUrl, headers, body };
      const report = await this.tunnel.deliver(job.tenant, space, request, this.config.WEBHOOK_REQUEST_TIMEOUT);
      return { ...report, request: loggedRequest(spec.TargetUrl, headers, prepared) };
    };
    const send = async (): Promise<AttemptReport> => {
      await attempt();
      return this.http.signedIn(prepared, viaListener);
    };
    const origin = `tunnel:${job.tenant}/${space}`;
    const run = await this.origins.run(
      origin,
      job.tenant,
      this.traced(job, attempt, origin, send),
      countsAgainstOrigin,
    );
    return this.decide(job, spec, delivery, attempt, resultOf(run, origin));
  }

  /** The attempt in its own span while tracing is on; as it is otherwise. */
  private traced(
    job: DeliveryJob,
    attempt: () => Promise<number>,
    target: string,
    send: () => Promise<AttemptReport>,
  ): () => Promise<AttemptReport> {
    return tracingOn() ? async () => inAttemptSpan(job, await attempt(), target, send) : send;
  }

  /** Decides with the job's history; a busy origin's job is decided without reading its attempt count. */
  private async decide(
    job: DeliveryJob,
    spec: DeliverySpec,
    delivery: JobDelivery,
    attempt: () => Promise<number>,
    result: JobResult,
  ): Promise<Disposition> {
    if (result.kind === 'origin-busy') return this.carryOut(job, delivery, attempt, decideDelivery(result));
    const history: JobHistory = {
      attempt: await attempt(),
      deliveryCount: delivery.count,
      test: isTestDelivery(job.deliveryId),
      retryPolicy: spec.RetryPolicy,
      now: Date.now(),
    };
    return this.carryOut(job, delivery, attempt, decideDelivery(result, history, this.settings));
  }

  /** Publishes what the decision says to publish, keeps the attempt count, and tells JetStream what next. */
  private async carryOut(
    job: DeliveryJob,
    delivery: JobDelivery,
    attempt: () => Promise<number>,
    decision: DeliveryDecision,
  ): Promise<Disposition> {
    switch (decision.kind) {
      case 'ack': {
        if (!decision.outcome) return Ack;
        const current = await attempt();
        await this.publishAttempt(job, current, decision.outcome);
        if (decision.markGone) await this.gone.markGone(job.tenant, job.webhookId);
        await this.forgetAttempts(job, current);
        return Ack;
      }
      case 'retry': {
        if (!decision.outcome) {
          this.attemptsTotal.inc({ kind: 'busy' });
          return nakAfter(decision.delayMs);
        }
        const current = await attempt();
        await this.publishAttempt(job, current, decision.outcome);
        await this.attempts.record(job.deliveryId, current);
        return nakAfter(decision.delayMs);
      }
      case 'park':
      case 'park-blocked': {
        // Parking fails only when NATS refuses the write: JetStream then holds the job instead.
        const current = await attempt();
        await this.noticeHeld(job, current, decision.notice);
        try {
          if (decision.kind === 'park') await this.parked.park(decision.origin, job, current - 1, delivery.sequence);
          else await this.parked.parkBlocked(decision.blockId, job, current - 1, delivery.sequence);
          return Ack;
        } catch (err) {
          this.logger.warn(
            { deliveryId: job.deliveryId, err: String(err) },
            'could not park a job, holding it instead',
          );
          return nakAfter(decision.fallbackDelayMs);
        }
      }
      case 'terminate': {
        const reason = decision.outcome.error;
        this.logger.error({ deliveryId: job.deliveryId, webhookId: job.webhookId, reason }, 'undeliverable job');
        await this.outcomes.publish(job, await attempt(), decision.outcome);
        this.attemptsTotal.inc({ kind: 'failed' });
        // The reason is in the log line above and in the outcome.
        return term('');
      }
    }
  }

  private async publishAttempt(job: DeliveryJob, attempt: number, outcome: OutcomeFields): Promise<void> {
    await this.outcomes.publish(job, attempt, outcome);
    this.attemptsTotal.inc({ kind: outcome.kind });
    if (outcome.latencyMs > 0) this.latency.observe({ kind: outcome.kind }, outcome.latencyMs / 1000);
  }

  private async forgetAttempts(job: DeliveryJob, attempt: number): Promise<void> {
    if (attempt === 1) return;
    try {
      await this.attempts.forget(job.deliveryId);
    } catch (err) {
      // The bucket's TTL removes it anyway; the delivery itself is settled.
      this.logger.warn({ deliveryId: job.deliveryId, err: String(err) }, 'could not clear the attempt count');
    }
  }

  private async noticeHeld(job: DeliveryJob, attempt: number, { errorKind, error }: HeldNotice): Promise<void> {
    const notice = `${job.deliveryId}:${attempt}:${errorKind}`;
    if (!this.heldNotices.has(notice)) {
      await this.outcomes.publish(job, attempt, { kind: 'held', errorKind, error, latencyMs: 0 });
      this.heldNotices.add(notice);
    }
    this.attemptsTotal.inc({ kind: 'held' });
  }
}

/** What running an attempt through the origin's breaker came to. */
function resultOf(run: OriginRun<AttemptReport>, origin: string): JobResult {
  switch (run.kind) {
    case 'ran':
      return { kind: 'attempted', report: run.value };
    case 'open':
      return { kind: 'breaker-open', origin, retryInMs: run.retryInMs };
    case 'busy':
      return { kind: 'origin-busy', retryInMs: run.retryInMs };
  }
}
