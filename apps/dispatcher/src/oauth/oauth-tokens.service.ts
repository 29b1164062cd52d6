import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DispatcherPool } from '@hookline/delivery';
import { request } from 'undici';
import { DispatcherConfig } from '../config/dispatcher.config';
import type { OAuth2Credentials } from '../delivery/prepared-delivery';
import { TargetGuard } from '../outbound/target-guard.service';

export type TokenResult = { ok: true; token: string } | { ok: false; error: string; retryable: boolean };

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Token responses are small; a bigger one is not a token endpoint. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** Used when the endpoint does not say how long its token lives. */
const DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;
/** A token is renewed this long before it expires (or at 90% of a shorter lifetime). */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_CACHED_TOKENS = 10_000;

/** Cache key: a rotated client secret must not reuse the old secret's token. */
function cacheKey(credentials: OAuth2Credentials): string {
  return createHash('sha256')
    .update(JSON.stringify([credentials.tokenUrl, credentials.clientId, credentials.clientSecret, credentials.scope]))
    .digest('base64url');
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into Basic credentials. */
function clientAuthorization(credentials: OAuth2Credentials): string {
  const id = encodeURIComponent(credentials.clientId);
  const secret = encodeURIComponent(credentials.clientSecret);
  return `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_TOKEN_RESPONSE_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * OAuth2 client-credentials tokens for webhooks that use them (BMC seed). A token is fetched once
 * per credentials, shared by concurrent attempts, and kept until shortly before it expires. The
 * token URL passes the same HTTP policy and SSRF guard as a webhook target.
 */
@Injectable()
export class OAuthTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<TokenResult>>();

  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    private readonly targets: TargetGuard,
    @Inject(DispatcherPool) private readonly pool: DispatcherPool,
  ) {}

  async token(credentials: OAuth2Credentials): Promise<TokenResult> {
    const key = cacheKey(credentials);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return { ok: true, token: cached.token };
    const running = this.pending.get(key);
    if (running) return running;
    const fetching = this.fetch(key, credentials).finally(() => this.pending.delete(key));
    this.pending.set(key, fetching);
    return fetching;
  }

  /** Drops a token the receiver rejected, unless a newer one has replaced it already. */
  invalidate(credentials: OAuth2Credentials, rejected: string): void {
    const key = cacheKey(credentials);
    if (this.cache.get(key)?.token === rejected) this.cache.delete(key);
  }

  private async fetch(key: string, credentials: OAuth2Credentials): Promise<TokenResult> {
    const check = await this.targets.check(credentials.tokenUrl);
    if (!check.ok) return { ok: false, error: `token URL refused: ${check.reason}`, retryable: check.retryable };
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scope) form.set('scope', credentials.scope);
    const deadline = AbortSignal.timeout(this.config.WEBHOOK_REQUEST_TIMEOUT);
    let status: number;
    let text: string | null;
    try {
      const response = await request(check.target.url, {
        dispatcher: this.pool.get(check.target.url, check.target.address),
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: clientAuthorization(credentials),
        },
        body: form.toString(),
        signal: deadline,
      });
      status = response.statusCode;
      text = await readCapped(response.body);
    } catch (err) {
      return { ok: false, error: `token request failed: ${(err as Error).message || String(err)}`, retryable: true };
    }
    // 4xx means the credentials or the request are wrong: asking again will not help.
    if (status < 200 || status >= 300)
      return { ok: false, error: `token endpoint answered HTTP ${status}`, retryable: status >= 500 || status === 429 };
    const parsed = this.parse(text);
    if (!parsed) return { ok: false, error: 'token endpoint answered without a usable access_token', retryable: false };
    this.cache.set(key, parsed);
    if (this.cache.size > MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value as string);
    return { ok: true, token: parsed.token };
  }

  private parse(text: string | null): CachedToken | null {
    if (text === null) return null;
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return null;
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') return null;
    const lifetimeMs =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    return { token: body.access_token, expiresAt: Date.now() + lifetimeMs - margin };
  }
}
