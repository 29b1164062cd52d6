import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import { SUBJECTS } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyRepository } from './api-key.repository';
import { hashApiKey } from './keys';
import type { Principal } from './principal';

/**
 * Revocations clear the cache at once through the registry's notice; this only bounds how long a
 * notice lost while connected (core NATS does not keep it) could leave a revoked key working.
 */
export const API_KEY_CACHE_TTL_MS = 10_000;
const API_KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Authenticates API keys for the HTTP guard from a per-instance cache. The database was asked on
 * every request before, and the embedded MongoDB-wire server answers that lookup by scanning the
 * collection: the largest cost of the public change path. Every instance listens for the
 * registry's revocation notices (no queue group), and caches nothing while it is not connected to
 * NATS, since it would not hear them then.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyAuthenticator');
  private readonly cache = new ApiKeyCache({ ttlMs: API_KEY_CACHE_TTL_MS, maxEntries: API_KEY_CACHE_MAX_ENTRIES });
  private subscription?: Subscription;
  private stopped = false;

  constructor(
    private readonly keys: ApiKeyRepository,
    @Optional() private readonly nats?: NatsClient,
  ) {
    this.cache.reset(false);
  }

  onApplicationBootstrap(): void {
    if (!this.nats) return;
    this.subscription = this.nats.connection.subscribe(SUBJECTS.apiKeyRevokedAll, {
      callback: (err, msg) => {
        if (!err) this.onNotice(msg);
      },
    });
    void this.watchConnection(this.nats);
    // Cache only once the server has our subscription, so no notice can pass unheard.
    const nats = this.nats;
    nats.connection
      .flush()
      .then(() => {
        if (!this.stopped) this.cache.reset(nats.isConnected);
      })
      .catch((err: unknown) => this.logger.warn(`API key cache off: ${(err as Error).message}`));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.cache.reset(false);
  }

  /** Who a presented key speaks for, or null for an unknown or revoked key. */
  authenticate(key: string): Promise<Principal | null> {
    return this.cache.resolve(hashApiKey(key), () => this.keys.authenticate(key));
  }

  /** The key stops authenticating here at once (the registry calls it before telling the others). */
  forgetKey(keyId: string): void {
    this.cache.forgetKey(keyId);
  }

  private onNotice(msg: Msg): void {
    let keyId: unknown;
    try {
      keyId = msg.json<{ keyId?: unknown }>().keyId;
    } catch {
      keyId = undefined;
    }
    if (typeof keyId === 'string' && keyId.length > 0) {
      this.cache.forgetKey(keyId);
      return;
    }
    // A notice we cannot read may still have been a revocation: forget every key to be safe.
    this.logger.warn(`unreadable revocation notice on ${msg.subject}: API key cache cleared`);
    this.cache.reset(true);
  }

  /** Notices sent while disconnected are lost: cache nothing until reconnected, then start afresh. */
  private async watchConnection(nats: NatsClient): Promise<void> {
    for await (const status of nats.connection.status()) {
      if (status.type === 'disconnect') this.cache.reset(false);
      else if (status.type === 'reconnect' && !this.stopped) this.cache.reset(true);
    }
  }
}
