import { rootCertificates } from 'node:tls';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import { proxyFor, type ProxySettings } from './proxy';
import { pinnedLookup } from './ssrf';

export interface DispatcherPoolOptions {
  /** Concurrent sockets per origin and pinned address. Default 10. */
  connectionsPerOrigin?: number;
  /** Pools kept open; the least recently used one is closed beyond this. Default 500. */
  maxOrigins?: number;
  /** PEM certificates trusted in addition to Node's bundled roots (receivers on a private CA). */
  extraCaCertificates?: readonly string[];
  /** The organisation's proxy; requests to targets it covers go through it instead of a pinned pool. */
  proxy?: ProxySettings;
}

/**
 * Keep-alive connection pools for deliveries, one per origin AND pinned address: a pool's
 * connections can only ever go to the address it was created for, so a later DNS answer cannot
 * reuse or redirect them, while Host and TLS SNI stay the URL's hostname. Through a proxy the
 * proxy connects (CONNECT for HTTPS, absolute-form requests for HTTP); the caller has checked the
 * target's addresses before, as for a direct connection.
 */
export class DispatcherPool {
  private readonly pools = new Map<string, Pool>();
  private readonly proxies = new Map<string, ProxyAgent>();
  private readonly connections: number;
  private readonly maxOrigins: number;
  private readonly ca: string[] | undefined;
  private readonly proxy: ProxySettings | undefined;

  constructor(options: DispatcherPoolOptions = {}) {
    this.connections = options.connectionsPerOrigin ?? 10;
    this.maxOrigins = options.maxOrigins ?? 500;
    // Node's `ca` replaces the bundled roots, so extra certificates are added to them.
    this.ca = options.extraCaCertificates?.length ? [...rootCertificates, ...options.extraCaCertificates] : undefined;
    this.proxy = options.proxy;
  }

  /** Number of open pools. */
  get size(): number {
    return this.pools.size;
  }

  /** The pool whose connections go to `pinnedAddress` for `url`'s origin, or the proxy that covers `url`. */
  get(url: URL, pinnedAddress: string): Dispatcher {
    const proxy = this.proxy && proxyFor(this.proxy, url, pinnedAddress);
    if (proxy) return this.proxyAgent(proxy);
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

  /** One agent per proxy (two at most: HTTP's and HTTPS's); it keeps a pool per target origin. */
  private proxyAgent(proxy: URL): ProxyAgent {
    let agent = this.proxies.get(proxy.href);
    if (!agent) {
      agent = new ProxyAgent({
        uri: proxy.href,
        connections: this.connections,
        ...(this.ca && { requestTls: { ca: this.ca } }),
      });
      this.proxies.set(proxy.href, agent);
    }
    return agent;
  }

  /** Closes every pool after its in-flight requests finish. */
  async close(): Promise<void> {
    const dispatchers: Dispatcher[] = [...this.pools.values(), ...this.proxies.values()];
    this.pools.clear();
    this.proxies.clear();
    await Promise.all(dispatchers.map((d) => d.close()));
  }
}
