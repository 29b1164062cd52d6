import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DispatcherPool } from '@hookline/delivery';
import { request } from 'undici';
import { DispatcherConfig } from '../config/dispatcher.config';
import { TargetPolicy } from '../outbound/target-policy.service';
import { signedInFrom, signInRequest, type SignedIn, type SignInCredentials } from './sign-in-flows';

export type SignInResult = { ok: true; authorization: string } | { ok: false; error: string; retryable: boolean };

/** Sign-in answers are small; a bigger one is not a sign-in endpoint. */
const MAX_SIGN_IN_RESPONSE_BYTES = 64 * 1024;
const MAX_CACHED_TOKENS = 10_000;

/**
 * Cache key: a changed password or client secret must not reuse the old one's token, nor a changed
 * client authentication method, so that a token URL refusing the new method says so at once.
 */
function cacheKey(credentials: SignInCredentials): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        credentials.flow,
        credentials.url,
        credentials.username,
        credentials.secret,
        credentials.scope,
        credentials.clientAuthMethod,
      ]),
    )
    .digest('base64url');
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_SIGN_IN_RESPONSE_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Tokens for webhooks that sign in before delivering (BMC seed: OAuth2 client credentials, AR
 * System and Innovation Suite logins, Helix SSO's password grant). A token is fetched once per
 * credentials, shared by concurrent attempts, and kept until shortly before it expires. The sign-in
 * URL passes the same HTTP policy and SSRF guard as a webhook target.
 */
@Injectable()
export class SignInTokens {
  private readonly cache = new Map<string, SignedIn>();
  private readonly pending = new Map<string, Promise<SignInResult>>();

  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    private readonly targets: TargetPolicy,
    @Inject(DispatcherPool) private readonly pool: DispatcherPool,
  ) {}

  /** The Authorization header value to send with these credentials. */
  async authorization(credentials: SignInCredentials): Promise<SignInResult> {
    const key = cacheKey(credentials);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return { ok: true, authorization: cached.authorization };
    const running = this.pending.get(key);
    if (running) return running;
    const fetching = this.signIn(key, credentials).finally(() => this.pending.delete(key));
    this.pending.set(key, fetching);
    return fetching;
  }

  /** Drops a token the receiver rejected, unless a newer one has replaced it already. */
  invalidate(credentials: SignInCredentials, rejected: string): void {
    const key = cacheKey(credentials);
    if (this.cache.get(key)?.authorization === rejected) this.cache.delete(key);
  }

  private async signIn(key: string, credentials: SignInCredentials): Promise<SignInResult> {
    const check = await this.targets.check(credentials.url);
    if (!check.ok) return { ok: false, error: `sign-in URL refused: ${check.reason}`, retryable: check.retryable };
    const { headers, body } = signInRequest(credentials);
    let status: number;
    let text: string | null;
    try {
      const response = await request(check.target.url, {
        dispatcher: this.pool.get(check.target.url, check.target.address),
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.config.WEBHOOK_REQUEST_TIMEOUT),
      });
      status = response.statusCode;
      text = await readCapped(response.body);
    } catch (err) {
      return { ok: false, error: `sign-in request failed: ${(err as Error).message || String(err)}`, retryable: true };
    }
    // 4xx means the credentials or the request are wrong: asking again will not help.
    if (status < 200 || status >= 300)
      return {
        ok: false,
        error: `sign-in endpoint answered HTTP ${status}`,
        retryable: status >= 500 || status === 429,
      };
    const signedIn = text === null ? null : signedInFrom(credentials.flow, text);
    if (!signedIn) return { ok: false, error: 'sign-in endpoint answered without a usable token', retryable: false };
    this.cache.set(key, signedIn);
    if (this.cache.size > MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value as string);
    return { ok: true, authorization: signedIn.authorization };
  }
}
