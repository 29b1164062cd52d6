import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ApiKeyRepository } from '@hookline/auth';
import { ApiKeyRevokedEvent, SUBJECTS, TUNNEL_CLOSE } from '@hookline/contracts';
import { Notices, type NoticeSubscription } from '@hookline/messaging';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { TunnelGatewayConfig } from '../config/tunnel-gateway.config';
import type { ListenerSession } from './listener-session';
import { SessionRegistry } from './session.registry';

const REVOKED_REASON = 'API key revoked';
/** A re-check still going after this long (the key store stalled) is abandoned; the next one starts over. */
const RECHECK_DEADLINE_MS = 30_000;

/**
 * Closes tunnels whose API key was revoked after they opened: at once on the registry's notice,
 * and by a periodic re-check of the live sessions' keys, which covers a notice this instance
 * missed (core NATS does not keep it). The close code is the one for a refused key, so the
 * listener does not reconnect with it.
 */
@Injectable()
export class KeyRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyRevocations');
  private subscription?: NoticeSubscription;
  private readonly rechecker: PeriodicTask;

  constructor(
    private readonly notices: Notices,
    private readonly keys: ApiKeyRepository,
    private readonly registry: SessionRegistry,
    config: TunnelGatewayConfig,
    metrics: MetricsService,
  ) {
    this.rechecker = new PeriodicTask(
      {
        name: 'tunnel-key-recheck',
        everyMs: config.TUNNEL_KEY_RECHECK_MS,
        deadlineMs: Math.min(config.TUNNEL_KEY_RECHECK_MS, RECHECK_DEADLINE_MS),
        job: (signal) => this.recheck(signal),
      },
      metrics,
    );
  }

  onApplicationBootstrap(): void {
    // No queue group: every instance closes the sessions it holds.
    this.subscription = this.notices.follow(SUBJECTS.apiKeyRevokedAll, ApiKeyRevokedEvent, (event) =>
      this.onNotice(event),
    );
    this.rechecker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.stop();
    await this.rechecker.stop();
  }

  /** Closes the sessions whose key no longer authenticates; rejects when the key store cannot be asked. */
  private async recheck(signal: AbortSignal): Promise<void> {
    const bySubscription = new Map<number, ListenerSession[]>();
    for (const session of this.registry.sessions()) {
      const sessions = bySubscription.get(session.identity.subscriptionId) ?? [];
      sessions.push(session);
      bySubscription.set(session.identity.subscriptionId, sessions);
    }
    for (const [subscriptionId, sessions] of bySubscription) {
      if (signal.aborted) return;
      const active = await this.keys.activeIds(subscriptionId, [...new Set(sessions.map((s) => s.identity.keyId))]);
      this.close(sessions.filter((s) => !active.has(s.identity.keyId)));
    }
  }

  private onNotice(event: ApiKeyRevokedEvent): void {
    this.close(
      this.registry.sessions().filter((s) => s.identity.tenant === event.tenant && s.identity.keyId === event.keyId),
    );
  }

  private close(sessions: ListenerSession[]): void {
    for (const session of sessions) {
      this.logger.log(`closing listener ${session.id}: its API key ${session.identity.keyId} was revoked`);
      session.close(TUNNEL_CLOSE.unauthenticated, REVOKED_REASON);
    }
  }
}
