import type { PipelineRunStatus } from '@hookline/contracts';
import type { PendingChange, RunRecord } from './run.schema';

export type RunTransitionCheck = { kind: 'apply' } | { kind: 'same' } | { kind: 'refused'; reason: string };

const NEXT: Record<PipelineRunStatus, PipelineRunStatus[]> = {
  queued: ['running', 'succeeded', 'failed'],
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

/** Runs only move forward; reporting the current state again is harmless (runners retry). */
export function checkTransition(from: PipelineRunStatus, to: PipelineRunStatus): RunTransitionCheck {
  if (from === to) return { kind: 'same' };
  if (NEXT[from].includes(to)) return { kind: 'apply' };
  return { kind: 'refused', reason: `a ${from} run cannot become ${to}` };
}

/**
 * The run as an object in a change message. Attribute names follow the Rally convention, so
 * outgoing webhooks can say e.g. `Status = "succeeded"` and `ActionType = "deploy"`.
 */
export function runSnapshot(run: RunRecord): Record<string, unknown> {
  return {
    Status: run.status,
    Pipeline: run.pipelineId,
    Hook: run.hookId,
    ActionType: run.actionType,
    Variables: run.variables,
    ReceivedAt: run.receivedAt.toISOString(),
    StartedAt: run.startedAt?.toISOString() ?? null,
    FinishedAt: run.finishedAt?.toISOString() ?? null,
    Message: run.message,
  };
}

/** The change message of a run's newest state; its id is stable, so a re-send is deduplicated. */
export function changeOf(run: RunRecord, before: RunRecord | null): PendingChange {
  return {
    message_id: `${run._id}:${run.version}`,
    action: before ? 'Updated' : 'Created',
    before: before ? runSnapshot(before) : null,
    after: runSnapshot(run),
  };
}
