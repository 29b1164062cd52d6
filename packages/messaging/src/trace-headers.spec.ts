import { headers as natsHeaders } from '@nats-io/nats-core';
import type { PubAck } from '@nats-io/jetstream';
import { Tracing, tracingOn, type BaseServiceConfig } from '@hookline/service-kit';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { NatsClient } from './nats-client';
import { JetStreamPublisher } from './publisher';
import { startProcessSpan } from './trace-headers';

/** A publisher over a client that only records what it was asked to publish. */
function publisherWithFakeClient() {
  const publish = jest.fn(async (): Promise<PubAck> => ({ seq: 1, duplicate: false }) as PubAck);
  const nats = { js: { publish } } as unknown as NatsClient;
  return { publisher: new JetStreamPublisher(nats), publish };
}

const headersOf = (publish: jest.Mock) =>
  (publish.mock.calls[0] as unknown[])[2] as { headers?: { get(k: string): string } };

describe('trace context over NATS', () => {
  describe('with tracing off', () => {
    it('publishes as before: no trace headers, no span', async () => {
      expect(tracingOn()).toBe(false);
      const { publisher, publish } = publisherWithFakeClient();
      await publisher.publish('changes.1.Defect.Created', { n: 1 }, { msgId: 'm1' });
      expect(headersOf(publish).headers).toBeUndefined();
    });
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: Tracing;

    beforeAll(() => {
      tracing = Tracing.start(
        'test',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER_ARG: 1 } as BaseServiceConfig,
        new SimpleSpanProcessor({ exporter }),
      );
    });

    afterAll(async () => {
      await tracing.onApplicationShutdown();
    });

    beforeEach(() => exporter.reset());

    it('sends a producer span’s context in the headers, beside the caller’s own headers', async () => {
      const { publisher, publish } = publisherWithFakeClient();
      await publisher.publish('deliveries.1.w1', { n: 1 }, { msgId: 'm1', headers: { 'Hookline-Prior': '2' } });
      const headers = headersOf(publish).headers!;
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('send deliveries');
      expect(headers.get('traceparent')).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(headers.get('Hookline-Prior')).toBe('2');
    });

    it('sends a batch (traced: false) without one', async () => {
      const { publisher, publish } = publisherWithFakeClient();
      await publisher.publish('outcome-batches.p', { outcomes: [] }, { msgId: 'b1', traced: false });
      expect(headersOf(publish).headers).toBeUndefined();
      expect(exporter.getFinishedSpans()).toEqual([]);
    });

    it('continues the headers’ trace in a consumer span, and starts none for a message without', () => {
      const headers = natsHeaders();
      headers.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      const msg = { subject: 'changes.1.Defect.Created', headers, info: { deliveryCount: 1 }, seq: 7 };
      const traced = startProcessSpan(msg as never, 'CHANGES', 'matcher');
      traced?.span.end();
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('process CHANGES');
      expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(startProcessSpan({ ...msg, headers: undefined } as never, 'CHANGES', 'matcher')).toBeUndefined();
    });
  });
});
