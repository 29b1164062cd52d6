import type { DeliveryJob } from '@hookline/contracts';
import { SpanKind, SpanStatusCode, withSpan } from '@hookline/service-kit';
import type { AttemptReport } from './attempt-report';

/**
 * Runs one attempt in its own span (callers check tracingOn() first): the receiver gets that
 * span's `traceparent` (attemptHeaders), and the span ends with what the attempt came to.
 */
export function inAttemptSpan(
  job: DeliveryJob,
  attempt: number,
  target: string,
  send: () => Promise<AttemptReport>,
): Promise<AttemptReport> {
  const attributes = {
    'hookline.delivery.id': job.deliveryId,
    'hookline.webhook.id': job.webhookId,
    'hookline.tenant': job.tenant,
    'hookline.attempt': attempt,
    // The origin or shared space only: a target URL may carry credentials in its query.
    'server.address': target,
  };
  return withSpan('delivery attempt', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const report = await send();
    span.setAttribute('hookline.outcome', report.kind);
    if (report.status !== undefined) span.setAttribute('http.response.status_code', report.status);
    if (report.errorKind !== undefined) span.setAttribute('error.type', report.errorKind);
    if (report.kind !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: report.error });
    return report;
  });
}
