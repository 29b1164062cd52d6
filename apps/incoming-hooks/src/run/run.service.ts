import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@hookline/auth';
import type { ReportedRunStatus } from '@hookline/contracts';
import { ErrorCode, HooklineError, isDuplicateKeyError } from '@hookline/service-kit';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import type { HookRecord } from '../hook/hook.schema';
import type { VariableValue } from '../hook/variables';
import { PipelineService } from '../pipeline/pipeline.service';
import { DeliveryClaimRepository } from './delivery-claim.repository';
import type { RunListQueryDto } from './dto/run.dto';
import { changeOf, checkTransition } from './run-snapshot';
import { RunOutbox } from './run-outbox';
import { RunRepository, type RunTransition } from './run.repository';
import type { RunRecord } from './run.schema';

export interface TriggerResult {
  runId: string;
  /** True when the delivery id was seen before: no new run, `runId` is the earlier one. */
  replay: boolean;
}

export interface ReportResult {
  run: RunRecord;
  /** False when the run already had the reported state (a runner's retry): nothing new was recorded. */
  changed: boolean;
}

/** Concurrent reports on one run retry against its newest version; more than this is not a race. */
const TRANSITION_ROUNDS = 5;

@Injectable()
export class RunService {
  constructor(
    private readonly runs: RunRepository,
    private readonly claims: DeliveryClaimRepository,
    private readonly outbox: RunOutbox,
    private readonly pipelines: PipelineService,
    private readonly config: IncomingHooksConfig,
  ) {}

  /**
   * Queues a run for a verified hook call; a delivery id seen before returns the earlier run instead.
   * The claim of the delivery id and the run are two writes: a process killed between them leaves a
   * claim whose run was never stored, and the sender, who got no answer, sends again. That call
   * stores the run under the claimed id (found by the kill -9 fault test, which lost such a call),
   * and whichever of two racing calls stores it second finds it there.
   */
  async trigger(
    hook: HookRecord,
    variables: Record<string, VariableValue>,
    deliveryId: string | undefined,
    receivedAt: Date,
  ): Promise<TriggerResult> {
    let runId: string = randomUUID();
    let claimedEarlier = false;
    if (deliveryId !== undefined) {
      const expiresAt = new Date(receivedAt.getTime() + this.config.DELIVERY_ID_RETENTION_SECONDS * 1000);
      const earlier = await this.claims.claim(hook._id, deliveryId, runId, receivedAt, expiresAt);
      if (earlier !== undefined) {
        if (await this.runs.findById(hook.subscriptionId, hook.pipelineId, earlier))
          return { runId: earlier, replay: true };
        runId = earlier;
        claimedEarlier = true;
      }
    }
    const run: RunRecord = {
      _id: runId,
      subscriptionId: hook.subscriptionId,
      pipelineId: hook.pipelineId,
      hookId: hook._id,
      actionType: hook.actionType,
      variables,
      deliveryId: deliveryId ?? null,
      status: 'queued',
      receivedAt,
      startedAt: null,
      finishedAt: null,
      message: null,
      version: 1,
      history: [{ status: 'queued', at: receivedAt, message: null }],
      published: false,
      outbox: [],
    };
    run.outbox.push(changeOf(run, null));
    try {
      await this.runs.insert(run);
    } catch (err) {
      // The other call for this delivery id stored the run first: there is one run, and it is this id.
      if (isDuplicateKeyError(err)) return { runId, replay: claimedEarlier };
      if (deliveryId !== undefined && !claimedEarlier) await this.claims.release(hook._id, deliveryId, runId);
      throw err;
    }
    // Publishing is quick and the runners want it; change-ingest is not waited for (senders time out).
    await this.outbox.publish(run);
    this.outbox.kick(runId);
    return { runId, replay: false };
  }

  async list(principal: Principal, pipelineId: string, query: RunListQueryDto): Promise<RunRecord[]> {
    await this.pipelines.get(principal, pipelineId);
    return this.runs.list(principal.subscriptionId, pipelineId, { hookId: query.hook_id }, query.limit ?? 50);
  }

  async get(principal: Principal, pipelineId: string, runId: string): Promise<RunRecord> {
    return this.find(principal.subscriptionId, pipelineId, runId);
  }

  /**
   * A runner's report, over HTTP or NATS. Each real change is queued for change-ingest with the
   * run's state before and after.
   */
  async report(
    subscriptionId: number,
    pipelineId: string,
    runId: string,
    status: ReportedRunStatus,
    message: string | undefined,
  ): Promise<ReportResult> {
    for (let round = 0; round < TRANSITION_ROUNDS; round++) {
      const run = await this.find(subscriptionId, pipelineId, runId);
      const check = checkTransition(run.status, status);
      if (check.kind === 'same') return { run, changed: false };
      if (check.kind === 'refused') throw new HooklineError(ErrorCode.Conflict, `Run ${runId}: ${check.reason}`);
      const at = new Date();
      const set: RunTransition['set'] = { message: message ?? null };
      if (status === 'running') set.startedAt = at;
      else set.finishedAt = at;
      const after: RunRecord = { ...run, ...set, status, version: run.version + 1 };
      const updated = await this.runs.transition(subscriptionId, pipelineId, runId, run.version, {
        status,
        set,
        entry: { status, at, message: message ?? null },
        change: changeOf(after, run),
      });
      if (updated) {
        this.outbox.kick(runId);
        return { run: updated, changed: true };
      }
    }
    throw new HooklineError(ErrorCode.Conflict, `Run ${runId} is changing too often; report again`);
  }

  private async find(subscriptionId: number, pipelineId: string, runId: string): Promise<RunRecord> {
    const run = await this.runs.findById(subscriptionId, pipelineId, runId);
    if (!run) throw HooklineError.notFound(`Run ${runId}`);
    return run;
  }
}
