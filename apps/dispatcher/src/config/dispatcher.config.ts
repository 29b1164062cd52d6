import { WithEncryptionKey } from '@hookline/auth';
import { parseNoProxy, parseProxyUrl, proxySettingsFrom, type ProxySettings } from '@hookline/delivery';
import { DeliveryPolicyServiceConfig, Parses } from '@hookline/service-kit';
import { IsIn, IsInt, Max, Min } from 'class-validator';

/** Proxy variables may be left unset (empty). */
const optionalProxyUrl = (value: string) => (value.trim() === '' ? null : parseProxyUrl(value));

/**
 * Settings of the dispatcher service, read from the environment once at start.
 * MongoDB holds the registry's API keys and the dispatcher's `blocked_urls` collection.
 */
export class DispatcherConfig extends WithEncryptionKey(DeliveryPolicyServiceConfig) {
  override PORT = 8084;

  /** Deadline in ms for a whole attempt (Octane's WEBHOOK_REQUEST_TIMEOUT), connect to last body byte. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_REQUEST_TIMEOUT = 10_000;

  /**
   * The organisation's proxy for every outgoing request (deliveries and sign-ins), e.g.
   * `http://proxy.corp:3128`; overrides HTTPS_PROXY and HTTP_PROXY. Each target still passes the
   * SSRF guard and HTTP policy before its request goes to the proxy.
   */
  @Parses(optionalProxyUrl, '$property must be an http:// or https:// URL with a host and no path')
  WEBHOOK_PROXY_URL = '';

  /** Proxy for HTTPS targets when WEBHOOK_PROXY_URL is unset (`https_proxy` is read too). */
  @Parses(optionalProxyUrl, '$property must be an http:// or https:// URL with a host and no path')
  HTTPS_PROXY = '';

  @Parses(optionalProxyUrl, '$property must be an http:// or https:// URL with a host and no path')
  https_proxy = '';

  /** Proxy for plain HTTP targets when WEBHOOK_PROXY_URL is unset (`http_proxy` is read too). */
  @Parses(optionalProxyUrl, '$property must be an http:// or https:// URL with a host and no path')
  HTTP_PROXY = '';

  @Parses(optionalProxyUrl, '$property must be an http:// or https:// URL with a host and no path')
  http_proxy = '';

  /** Targets reached directly: `*`, domains (`.corp.example`), addresses or CIDRs, each with an optional `:port`. */
  @Parses(parseNoProxy, '$property must list host names, addresses or CIDRs, each with an optional :port')
  NO_PROXY = '';

  @Parses(parseNoProxy, '$property must list host names, addresses or CIDRs, each with an optional :port')
  no_proxy = '';

  /**
   * Which attempts' request bodies the delivery log keeps (headers are always kept): `failures`
   * (every attempt that did not succeed) or `all`. Keeping every body costs about 0.1 ms of CPU
   * per delivery on the embedded database (docs/decisions/011-delivery-log-bodies.md).
   */
  @IsIn(['failures', 'all'])
  DELIVERY_LOG_BODIES: 'failures' | 'all' = 'failures';

  /** Attempts running at once towards one origin (and its keep-alive sockets). */
  @IsInt()
  @Min(1)
  @Max(1_000)
  ORIGIN_CONCURRENCY = 32;

  /**
   * Jobs that may always wait for a busy origin. More may wait while a quarter of the instance's
   * handlers stay free for other origins; beyond that they go back to JetStream for a moment.
   */
  @IsInt()
  @Min(0)
  @Max(10_000)
  ORIGIN_QUEUE_LIMIT = 32;

  /** Percentage of failed attempts in the rolling window that opens an origin's breaker. */
  @IsInt()
  @Min(1)
  @Max(100)
  BREAKER_ERROR_PERCENT = 50;

  /** Attempts in the rolling window before the breaker judges an origin at all. */
  @IsInt()
  @Min(1)
  BREAKER_VOLUME_THRESHOLD = 5;

  /**
   * Failed attempts in a row that open an origin's breaker at once. The rolling window alone opens
   * late on a receiver that was healthy until a moment ago: its earlier successes outweigh the new
   * failures for most of the window, and every job meanwhile costs a whole attempt and a retry.
   */
  @IsInt()
  @Min(1)
  BREAKER_CONSECUTIVE_FAILURES = 20;

  /** Length of the breaker's rolling window in ms. */
  @IsInt()
  @Min(1_000)
  BREAKER_WINDOW_MS = 30_000;

  /** How long an open breaker waits before letting one probe through (half-open). */
  @IsInt()
  @Min(100)
  BREAKER_RESET_MS = 30_000;

  /**
   * Longest wait between two probes of an origin whose probes keep failing: each failed probe
   * doubles the wait from BREAKER_RESET_MS up to this. The origin's parked jobs stay parked until
   * a probe succeeds, so a recovered origin gets its backlog at most this late.
   */
  @IsInt()
  @Min(100)
  BREAKER_RESET_MAX_MS = 600_000;

  /** Slow (near-timeout) or invalid-HTTP answers in a row that get a URL blocked. */
  @IsInt()
  @Min(1)
  BLOCK_STRIKES = 3;

  /** Share of WEBHOOK_REQUEST_TIMEOUT from which an answer counts as slow, in percent. */
  @IsInt()
  @Min(1)
  @Max(100)
  BLOCK_SLOW_PERCENT = 80;

  /** How long a blocked URL stays blocked, in ms (an admin may unblock earlier). */
  @IsInt()
  @Min(1_000)
  BLOCK_COOLOFF_MS = 15 * 60_000;

  /** How often the blocklist is re-read from MongoDB: blocks by other instances apply, and unblock notices an instance missed. */
  @IsInt()
  @Min(100)
  BLOCKLIST_REFRESH_MS = 5_000;

  /** Longest a job held for a blocked URL waits in JetStream when it could not be parked (an admin may lift the block). */
  @IsInt()
  @Min(100)
  HOLD_RECHECK_MS = 60_000;

  /**
   * Longest spread of a job held for its origin's open breaker when it could not be parked (NATS
   * refused the write): the spread doubles each time the job comes back, so such a backlog
   * returns ever less often.
   */
  @IsInt()
  @Min(100)
  HOLD_MAX_SPREAD_MS = 600_000;

  /** Longest retry delay, a receiver's Retry-After included. */
  @IsInt()
  @Min(0)
  RETRY_MAX_DELAY_MS = 3_600_000;

  /** The proxy settings above; upper-case names win over lower-case ones, as in most tools. */
  proxySettings(): ProxySettings {
    return proxySettingsFrom({
      WEBHOOK_PROXY_URL: this.WEBHOOK_PROXY_URL,
      HTTPS_PROXY: this.HTTPS_PROXY || this.https_proxy,
      HTTP_PROXY: this.HTTP_PROXY || this.http_proxy,
      NO_PROXY: this.NO_PROXY || this.no_proxy,
    });
  }
}
