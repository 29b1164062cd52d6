import { Inject, Injectable } from '@nestjs/common';
import { deliverOnce, DispatcherPool, type ResolvedTarget } from '@hookline/delivery';
import { DispatcherConfig } from '../config/dispatcher.config';
import { OAuthTokens } from '../oauth/oauth-tokens.service';
import { fromAttemptResult, notSent, type AttemptReport } from './attempt-report';
import { attemptHeaders, type PreparedDelivery } from './prepared-delivery';

/**
 * One HTTP attempt of a delivery to its already checked and pinned target, with Standard Webhooks
 * signature, Security header and Basic or OAuth2 authentication. A 401 with an OAuth2 token gets
 * one more try with a freshly fetched token, inside the same attempt.
 */
@Injectable()
export class HttpSender {
  constructor(
    @Inject(DispatcherConfig) private readonly config: DispatcherConfig,
    @Inject(DispatcherPool) private readonly pool: DispatcherPool,
    private readonly tokens: OAuthTokens,
  ) {}

  async send(deliveryId: string, prepared: PreparedDelivery, target: ResolvedTarget): Promise<AttemptReport> {
    const oauth2 = prepared.oauth2;
    if (!oauth2) return this.post(deliveryId, prepared, target);
    const first = await this.tokens.token(oauth2);
    if (!first.ok) return notSent('auth', first.error, first.retryable);
    const report = await this.post(deliveryId, prepared, target, first.token);
    if (report.status !== 401) return report;
    this.tokens.invalidate(oauth2, first.token);
    const fresh = await this.tokens.token(oauth2);
    if (!fresh.ok) return notSent('auth', fresh.error, fresh.retryable);
    return this.post(deliveryId, prepared, target, fresh.token);
  }

  private async post(
    deliveryId: string,
    prepared: PreparedDelivery,
    target: ResolvedTarget,
    bearerToken?: string,
  ): Promise<AttemptReport> {
    try {
      const headers = attemptHeaders(deliveryId, prepared, Math.floor(Date.now() / 1000), bearerToken);
      const result = await deliverOnce({
        url: target.url,
        pinnedAddress: target.address,
        headers,
        body: prepared.body,
        timeoutMs: this.config.WEBHOOK_REQUEST_TIMEOUT,
        dispatcherPool: this.pool,
      });
      return fromAttemptResult(result);
    } catch (err) {
      // deliverOnce throws only for requests that cannot be sent as configured (a reserved or
      // malformed header, an unusable signing secret): the same would happen on every retry.
      return notSent('invalid-job', (err as Error).message, false);
    }
  }
}
