import { Inject, Injectable } from '@nestjs/common';
import { deliverOnce, DispatcherPool, type ResolvedTarget } from '@hookline/delivery';
import { DispatcherConfig } from '../config/dispatcher.config';
import { SignInTokens } from '../sign-in/sign-in-tokens.service';
import { fromAttemptResult, notSent, type AttemptReport } from './attempt-report';
import { attemptHeaders, loggedRequest, type PreparedDelivery } from './prepared-delivery';

/**
 * One HTTP attempt of a delivery to its already checked and pinned target, with Standard Webhooks
 * signature, Security header and the webhook's authentication. A 401 to a token from a sign-in gets
 * one more try with a fresh token, inside the same attempt.
 */
@Injectable()
export class HttpSender {
  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    @Inject(DispatcherPool) private readonly pool: DispatcherPool,
    private readonly tokens: SignInTokens,
  ) {}

  async send(deliveryId: string, prepared: PreparedDelivery, target: ResolvedTarget): Promise<AttemptReport> {
    return this.signedIn(prepared, (authorization) => this.post(deliveryId, prepared, target, authorization));
  }

  /**
   * Runs `attempt` with the token of the webhook's sign-in, if it has one, over HTTP or through a
   * tunnel alike: the dispatcher signs in, the receiver gets the Authorization header.
   */
  async signedIn(
    prepared: PreparedDelivery,
    attempt: (authorization?: string) => Promise<AttemptReport>,
  ): Promise<AttemptReport> {
    const signIn = prepared.signIn;
    if (!signIn) return attempt();
    const first = await this.tokens.authorization(signIn);
    if (!first.ok) return notSent('auth', first.error, first.retryable);
    const report = await attempt(first.authorization);
    if (report.status !== 401) return report;
    this.tokens.invalidate(signIn, first.authorization);
    const fresh = await this.tokens.authorization(signIn);
    if (!fresh.ok) return notSent('auth', fresh.error, fresh.retryable);
    return attempt(fresh.authorization);
  }

  private async post(
    deliveryId: string,
    prepared: PreparedDelivery,
    target: ResolvedTarget,
    signedIn?: string,
  ): Promise<AttemptReport> {
    try {
      const headers = attemptHeaders(deliveryId, prepared, Math.floor(Date.now() / 1000), signedIn);
      const result = await deliverOnce({
        url: target.url,
        pinnedAddress: target.address,
        headers,
        body: prepared.body,
        timeoutMs: this.config.WEBHOOK_REQUEST_TIMEOUT,
        dispatcherPool: this.pool,
      });
      // A success's body is what the delivery was meant to send: kept only when asked (decision 011).
      const withBody = this.config.DELIVERY_LOG_BODIES === 'all' || result.kind !== 'success';
      return {
        ...fromAttemptResult(result),
        request: loggedRequest(target.url.toString(), headers, prepared, withBody),
      };
    } catch (err) {
      // deliverOnce throws only for requests that cannot be sent as configured (a reserved or
      // malformed header, an unusable signing secret): the same would happen on every retry.
      return notSent('invalid-job', (err as Error).message, false);
    }
  }
}
