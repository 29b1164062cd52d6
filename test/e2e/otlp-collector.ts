import { createServer, type Server } from 'node:http';

/** A span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
export interface CollectedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

interface OtlpJsonExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: Omit<CollectedSpan, 'service'>[] }[];
  }[];
}

/**
 * A tiny OpenTelemetry collector on 127.0.0.1: accepts OTLP/HTTP JSON on `POST /v1/traces` (the
 * services export with OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and keeps every span.
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  private port_ = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpCollector> {
    const collector: OtlpCollector = new OtlpCollector(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (req.method !== 'POST' || req.url !== '/v1/traces') {
            res.writeHead(404).end();
            return;
          }
          collector.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJsonExport);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      }),
    );
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    collector.port_ = (collector.server.address() as { port: number }).port;
    return collector;
  }

  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${this.port_}`;
  }

  inTrace(traceId: string): CollectedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private collect(body: OtlpJsonExport): void {
    for (const { resource, scopeSpans } of body.resourceSpans ?? []) {
      const service = resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const scope of scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          this.spans.push({
            service,
            name: span.name,
            kind: span.kind,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
          });
    }
  }
}
