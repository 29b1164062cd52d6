import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@hookline/auth';
import { tenantOf } from '@hookline/auth';
import { ConsumerLagReader } from '@hookline/messaging';
import { DispatcherGateway } from '../dispatch/dispatcher.gateway';
import { dispatchFigures, QUEUE_HOPS, summarize, type Overview, type QueueHop } from './overview';
import { OverviewRepository } from './overview.repository';

/**
 * Attempts read at most per overview. The log has no per-tenant time index (each index slows the
 * outcome writes that fill it), so a busy tenant's figures cover its newest attempts only.
 */
export const MAX_OVERVIEW_ATTEMPTS = 20_000;

/** How long the overview waits for the broker and the dispatcher; the page refreshes every few seconds. */
export const OVERVIEW_DEADLINE_MS = 1_000;

@Injectable()
export class OverviewService {
  private readonly logger = new Logger('Overview');

  constructor(
    private readonly repository: OverviewRepository,
    private readonly lag: ConsumerLagReader,
    private readonly dispatcher: DispatcherGateway,
  ) {}

  async overview(principal: Principal, windowMinutes: number, now = new Date()): Promise<Overview> {
    const since = new Date(now.getTime() - windowMinutes * 60_000);
    const [attempts, queues, status] = await Promise.all([
      this.repository.attemptsSince(principal.subscriptionId, since, MAX_OVERVIEW_ATTEMPTS),
      // The queues are the whole stack's, so they show other tenants' load: admins only.
      principal.roles.includes('admin') ? Promise.all(QUEUE_HOPS.map((hop) => this.queueHop(hop))) : [],
      this.dispatcher.status(tenantOf(principal), OVERVIEW_DEADLINE_MS),
    ]);
    return {
      ...summarize(attempts, now, windowMinutes, attempts.length >= MAX_OVERVIEW_ATTEMPTS),
      Queues: queues,
      Dispatch: dispatchFigures(status),
    };
  }

  private async queueHop(hop: (typeof QUEUE_HOPS)[number]): Promise<QueueHop> {
    try {
      const lag = await this.lag.read(hop.Stream, hop.Consumer, OVERVIEW_DEADLINE_MS);
      if (lag) return { ...hop, Available: true, Pending: lag.pending, AckPending: lag.ackPending };
    } catch (err) {
      this.logger.warn({ hop: hop.Hop, err: String(err) }, 'queue depth unavailable');
    }
    return { ...hop, Available: false, Pending: null, AckPending: null };
  }
}
