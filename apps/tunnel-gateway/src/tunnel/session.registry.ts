import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { TunnelDeliveryReply, TunnelDeliveryRequest } from '@hookline/contracts';
import { gatewayReply } from './frames';
import type { ListenerSession, SessionSummary } from './listener-session';
import { SpaceSubscriptions, type SpaceSubscription } from './space-subscriptions';

interface SpacePool {
  tenant: string;
  sharedSpace: string;
  sessions: ListenerSession[];
  /** Round-robin cursor into `sessions`. */
  next: number;
  subscription: SpaceSubscription;
}

export interface SpaceSessions {
  sharedSpace: string;
  listeners: SessionSummary[];
}

/**
 * The live listeners of this instance, grouped by (tenant, shared space). A space is subscribed
 * on NATS exactly while it has at least one listener here, so the dispatcher gets "no responders"
 * at once when no instance holds one.
 */
@Injectable()
export class SessionRegistry implements OnApplicationShutdown {
  private readonly pools = new Map<string, SpacePool>();

  constructor(private readonly subscriptions: SpaceSubscriptions) {}

  /** Resolves once deliveries for the session's space can reach this instance. */
  async attach(session: ListenerSession): Promise<void> {
    const { tenant, sharedSpace } = session.identity;
    const key = poolKey(tenant, sharedSpace);
    let pool = this.pools.get(key);
    if (!pool) {
      const created: SpacePool = {
        tenant,
        sharedSpace,
        sessions: [],
        next: 0,
        subscription: this.subscriptions.open(tenant, sharedSpace, (request) => this.deliver(created, request)),
      };
      this.pools.set(key, created);
      pool = created;
    }
    pool.sessions.push(session);
    await pool.subscription.ready;
  }

  /** Fails the session's unanswered deliveries and gives up the space when it was its last listener. */
  detach(session: ListenerSession): void {
    session.abandon();
    const key = poolKey(session.identity.tenant, session.identity.sharedSpace);
    const pool = this.pools.get(key);
    if (!pool) return;
    pool.sessions = pool.sessions.filter((s) => s !== session);
    if (pool.sessions.length > 0) return;
    pool.subscription.close();
    this.pools.delete(key);
  }

  /** Live listeners of one tenant on this instance, by shared space. */
  list(tenant: string): SpaceSessions[] {
    return [...this.pools.values()]
      .filter((pool) => pool.tenant === tenant)
      .map((pool) => ({ sharedSpace: pool.sharedSpace, listeners: pool.sessions.map((s) => s.summary()) }))
      .sort((a, b) => a.sharedSpace.localeCompare(b.sharedSpace));
  }

  /** Every live session of this instance. */
  sessions(): ListenerSession[] {
    return [...this.pools.values()].flatMap((pool) => pool.sessions);
  }

  /** Stops taking deliveries for every space, so requests go to other instances from now on. */
  closeSubscriptions(): void {
    for (const pool of this.pools.values()) pool.subscription.close();
    this.pools.clear();
  }

  onApplicationShutdown(): void {
    this.closeSubscriptions();
  }

  private deliver(pool: SpacePool, request: TunnelDeliveryRequest): Promise<TunnelDeliveryReply> {
    const count = pool.sessions.length;
    if (count === 0) return Promise.resolve(gatewayReply(request.id, 503, 'no listener on this gateway'));
    for (let i = 0; i < count; i++) {
      const index = (pool.next + i) % count;
      const session = pool.sessions[index]!;
      if (session.saturated) continue;
      pool.next = (index + 1) % count;
      return session.deliver(request);
    }
    return Promise.resolve(gatewayReply(request.id, 503, 'every listener of this shared space is busy'));
  }
}

function poolKey(tenant: string, sharedSpace: string): string {
  return JSON.stringify([tenant, sharedSpace]);
}
