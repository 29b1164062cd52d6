import { rootCertificates } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import { pinnedLookup } from './ssrf';

export interface DispatcherPoolOptions {
  /** Concurrent sockets per origin and pinned address. Default 10. */
  connectionsPerOrigin?: number;
  /** Pools kept open; the least recently used one is closed beyond this. Default 500. */
  maxOrigins?: number;
  /** PEM certificates trusted in addition to Node's bundled roots (receivers on a private CA). */
  extraCaCertificates?: readonly string[];
}

/**
 * Keep-alive connection pools for deliveries, one per origin AND pinned address: a pool's
 * connections can only ever go to the address it was created for, so a later DNS answer cannot
 * reuse or redirect them, while Host and TLS SNI stay the URL's hostname.
 */
export class DispatcherPool {
  private readonly pools = new Map<string, Pool>();
  private readonly connections: number;
  private readonly maxOrigins: number;
  private readonly ca: string[] | undefined;

  constructor(options: DispatcherPoolOptions = {}) {
    this.connections = options.connectionsPerOrigin ?? 10;
    this.maxOrigins = options.maxOrigins ?? 500;
    // Node's `ca` replaces the bundled roots, so extra certificates are added to them.
    this.ca = options.extraCaCertificates?.length ? [...rootCertificates, ...options.extraCaCertificates] : undefined;
  }

  /** Number of open pools. */
  get size(): number {
    return this.pools.size;
  }

  /** The pool whose connections go to `pinnedAddress` for `url`'s origin. */
  get(url: URL, pinnedAddress: string): Dispatcher {
    const key = `${url.origin} ${pinnedAddress}`;
    const existing = this.pools.get(key);
    if (existing) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.pools.delete(key);
      this.pools.set(key, existing);
      return existing;
    }
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const pool = new Pool(url.origin, {
      connections: this.connections,
      connect: { lookup: pinnedLookup(hostname, pinnedAddress), ...(this.ca && { ca: this.ca }) },
    });
    this.pools.set(key, pool);
    if (this.pools.size > this.maxOrigins) {
      const [oldestKey, oldest] = this.pools.entries().next().value as [string, Pool];
      this.pools.delete(oldestKey);
      // close() lets in-flight requests finish; nobody awaits it, so a failure has no one to tell.
      oldest.close().catch(() => undefined);
    }
    return pool;
  }

  /** Closes every pool after its in-flight requests finish. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
