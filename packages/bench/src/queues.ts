import { performance } from 'node:perf_hooks';
import type { NatsClient } from '@hookline/messaging';
import { sleep } from './tally';

export interface Settled {
  seconds: number;
  settled: boolean;
  /** Outcome messages (a batch counts once) the registry still had to record when the delivery path was idle. */
  outcomesBehind: number;
}

/**
 * Waits until the stack is idle (CHANGES consumed, DELIVERIES empty, the registry's outcomes
 * recorded), so one run's leftovers do not weigh on the next; says how long that took and how
 * many outcomes the registry still had to record when the delivery path was idle.
 */
export async function settle(
  client: NatsClient,
  { timeoutMs, withoutRegistry = false }: { timeoutMs: number; withoutRegistry?: boolean },
): Promise<Settled> {
  const started = performance.now();
  const outcomesBehind = async () => {
    const infos = await Promise.all([
      client.jsm.consumers.info('OUTCOMES', 'registry-outcomes').catch(() => undefined),
      client.jsm.consumers.info('OUTCOME_BATCHES', 'registry-outcome-batches').catch(() => undefined),
    ]);
    return infos.reduce((sum, info) => sum + (info?.num_pending ?? 0) + (info?.num_ack_pending ?? 0), 0);
  };
  let behindWhenDelivered: number | undefined;
  while (performance.now() - started < timeoutMs) {
    const deliveries = await client.jsm.streams.info('DELIVERIES');
    const changes = await client.jsm.consumers.info('CHANGES', 'matcher').catch(() => undefined);
    if (deliveries.state.messages === 0 && (changes?.num_pending ?? 0) + (changes?.num_ack_pending ?? 0) === 0) {
      const behind = await outcomesBehind();
      behindWhenDelivered ??= behind;
      if (behind === 0 || withoutRegistry)
        return { seconds: (performance.now() - started) / 1000, settled: true, outcomesBehind: behindWhenDelivered };
    }
    await sleep(200);
  }
  return {
    seconds: timeoutMs / 1000,
    settled: false,
    outcomesBehind: behindWhenDelivered ?? (await outcomesBehind()),
  };
}
