import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

export interface ApiKeyCacheOptions {
  /** How long an entry is trusted without a revocation notice: the backstop for a notice that never came. */
  ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries: number;
  now?: () => number;
}

/**
 * Principals of recently presented API keys, by key hash, so that a busy caller is not a database
 * lookup per request. Only found keys are kept (an unknown key is looked up each time, so a new key
 * works at once and guessed keys cannot fill it). Revocation clears a key's entries through
 * `forgetKey`; a lookup that was already under way when a key was forgotten is not stored, so a
 * revoked key cannot come back from a read made just before its revocation.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forget: a lookup stores its answer only if none happened while it ran. */
  private generation = 0;
  private enabled = true;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached principal of `hash`, else `lookup()`'s answer (stored when it is a principal). */
  async resolve(hash: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    const hit = this.entries.get(hash);
    if (hit) {
      if (hit.expiresAt > this.now()) return hit.principal;
      this.entries.delete(hash);
    }
    const generation = this.generation;
    const principal = await lookup();
    if (principal && this.enabled && generation === this.generation) this.store(hash, principal);
    return principal;
  }

  /** Drops every entry of that key id (a revocation, or the bootstrap key given a new value). */
  forgetKey(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) {
      if (entry.principal.keyId === keyId) this.entries.delete(hash);
    }
  }

  /** Drops everything and, while `enabled` is false, stores nothing (revocation notices cannot reach us). */
  reset(enabled: boolean): void {
    this.generation++;
    this.enabled = enabled;
    this.entries.clear();
  }

  private store(hash: string, principal: Principal): void {
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { principal, expiresAt: this.now() + this.options.ttlMs });
  }
}
