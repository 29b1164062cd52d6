import { randomBytes } from 'node:crypto';
import { waitFor } from '@hookline/testing';
import { E2eStack, type Tenant } from './e2e-stack';
import { OtlpCollector, type CollectedSpan } from './otlp-collector';

/** OTLP span kinds as the JSON export numbers them. */
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** One change followed through every hop by its trace: ingest, matcher, dispatcher, receiver, registry. */
describe('tracing across the hops', () => {
  let collector: OtlpCollector;
  let e2e: E2eStack;
  let acme: Tenant;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    e2e = await E2eStack.start({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    acme = await e2e.tenant(4242);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
    await collector?.stop();
  });

  it('puts every hop of a change in the caller’s trace, sends it to the receiver and logs it per attempt', async () => {
    const created = await acme.registry.request('POST', '/api/v2/webhook', {
      AppName: 'Tracing',
      AppUrl: 'www.example.com',
      Name: 'traced defects',
      TargetUrl: e2e.receiver.url('/traced'),
      ObjectTypes: ['Defect'],
      Events: ['Created'],
    });
    expect(created.status).toBe(200);
    const webhookId = created.body.ObjectUUID as string;
    await e2e.indexed(1);

    // The producer's own trace: change-ingest continues it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const accepted = await acme.ingest.request(
      'POST',
      '/api/v2/changes',
      { action: 'Created', object_type: 'Defect', object_id: 'd-1', after: { Name: 'Crash on save' } },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(accepted.status).toBe(202);

    // The receiver's POST continues it too, from the dispatcher's attempt span.
    const [delivery] = await waitFor(() => e2e.receiver.at('/traced').length > 0 && e2e.receiver.at('/traced'), 20_000);
    const received = /^00-([\da-f]{32})-([\da-f]{16})-01$/.exec(String(delivery.headers.traceparent));
    expect(received?.[1]).toBe(traceId);

    // The delivery log shows the attempt's trace id.
    const attempts = await waitFor(async () => {
      const reply = await acme.registry.request('GET', `/api/v2/webhook/${webhookId}/attempts`);
      return reply.body.TotalResultCount > 0 && reply.body.Results;
    }, 20_000);
    expect(attempts).toEqual([expect.objectContaining({ Outcome: 'success', Status: 200, TraceID: traceId })]);

    // Each service exports what it finished within OTEL_BSP_SCHEDULE_DELAY; the registry's span ends last.
    await waitFor(() => {
      const services = new Set(collector.inTrace(traceId).map((s) => s.service));
      return ['change-ingest', 'matcher', 'dispatcher', 'registry'].every((s) => services.has(s));
    }, 20_000);
    // A moment more for any straggling export: the spans are counted below.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = collector.inTrace(traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const one = (service: string, name: string, kind: number): CollectedSpan => {
      const found = spans.filter((s) => s.service === service && s.name === name && s.kind === kind);
      expect({ service, name, count: found.length }).toEqual({ service, name, count: 1 });
      return found[0];
    };

    const request = one('change-ingest', 'POST /api/v2/changes', SERVER);
    expect(request.parentSpanId).toBe(callerSpanId);
    const sentChange = one('change-ingest', 'send changes', PRODUCER);
    expect(sentChange.parentSpanId).toBe(request.spanId);
    const matched = one('matcher', 'process CHANGES', CONSUMER);
    expect(matched.parentSpanId).toBe(sentChange.spanId);
    const sentJob = one('matcher', 'send deliveries', PRODUCER);
    expect(sentJob.parentSpanId).toBe(matched.spanId);
    const dispatched = one('dispatcher', 'process DELIVERIES', CONSUMER);
    expect(dispatched.parentSpanId).toBe(sentJob.spanId);
    const attempt = one('dispatcher', 'delivery attempt', CLIENT);
    expect(attempt.parentSpanId).toBe(dispatched.spanId);
    expect(received?.[2]).toBe(attempt.spanId);
    const recorded = one('registry', 'record attempt', CONSUMER);
    expect(byId.get(recorded.parentSpanId)?.service).toBe('dispatcher');
  });
});
