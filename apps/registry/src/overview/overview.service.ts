import { Injectable } from '@nestjs/common';
import type { Principal } from '@hookline/auth';
import { summarize, type DeliveryOverview } from './overview';
import { OverviewRepository } from './overview.repository';

/**
 * Attempts read at most per overview. The log has no per-tenant time index (each index slows the
 * outcome writes that fill it), so a busy tenant's figures cover its newest attempts only.
 */
export const MAX_OVERVIEW_ATTEMPTS = 20_000;

@Injectable()
export class OverviewService {
  constructor(private readonly repository: OverviewRepository) {}

  async overview(principal: Principal, windowMinutes: number, now = new Date()): Promise<DeliveryOverview> {
    const since = new Date(now.getTime() - windowMinutes * 60_000);
    const attempts = await this.repository.attemptsSince(principal.subscriptionId, since, MAX_OVERVIEW_ATTEMPTS);
    return summarize(attempts, now, windowMinutes, attempts.length >= MAX_OVERVIEW_ATTEMPTS);
  }
}
