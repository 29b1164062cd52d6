import { rootCertificates } from 'node:tls';
import { WebSocket } from 'ws';
import {
  isFatalTunnelClose,
  tunnelPath,
  type GatewayFrame,
  type TunnelDeliveryFrame,
  type TunnelReplyFrame,
} from '@hookline/contracts';
import type { DeliveryHandler } from './deliveries';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface ListenerOptions {
  /** `ws[s]://host:port` of a tunnel gateway (`http[s]` is accepted too). */
  gatewayUrl: string;
  sharedSpace: string;
  apiKey: string;
  backoff: BackoffOptions;
  /** PEM certificates trusted for a wss gateway besides the system's (--ca). */
  ca?: string;
}

export type ListenerEvent =
  | { kind: 'connecting'; url: string }
  | { kind: 'ready'; sessionId: string; maxInFlight: number }
  | { kind: 'delivery'; at: Date; id: string; webhookId: string; status: number; latencyMs: number }
  | { kind: 'disconnected'; code: number; reason: string; retryInMs: number }
  | { kind: 'fatal'; code: number; reason: string };

export type ListenerExit = { kind: 'stopped' } | { kind: 'fatal'; code: number; reason: string };

/** Silence for this many gateway heartbeat intervals means the connection is dead. */
const SILENT_BEATS = 3;

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter so listeners do not stampede. */
export function backoffDelay(attempt: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function tunnelUrl(gatewayUrl: string, sharedSpace: string): string {
  const base = gatewayUrl.replace(/^http(s?):/i, 'ws$1:').replace(/\/+$/, '');
  return base + tunnelPath(sharedSpace);
}

/**
 * Keeps a tunnel open to the gateway for one shared space: hands each delivery to the handler and
 * sends back its reply, reconnects with backoff after any close except a refused key, and drops a
 * connection on which the gateway's heartbeat went silent.
 */
export class Listener {
  readonly exited: Promise<ListenerExit>;
  private exit!: (exit: ListenerExit) => void;
  private ws?: WebSocket;
  private stopped = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private silenceTimer?: NodeJS.Timeout;
  private heartbeatMs?: number;

  constructor(
    private readonly options: ListenerOptions,
    private readonly handle: DeliveryHandler,
    private readonly report: (event: ListenerEvent) => void,
  ) {
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }

  start(): void {
    this.connect();
  }

  /** Closes the tunnel for good; deliveries in progress at the gateway are retried by the dispatcher. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) this.exit({ kind: 'stopped' });
    else ws.close(1000, 'listener stopping');
    await this.exited;
  }

  private connect(): void {
    const url = tunnelUrl(this.options.gatewayUrl, this.options.sharedSpace);
    this.report({ kind: 'connecting', url });
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      // Node's `ca` replaces the system's trust store; a listener should trust both.
      ...(this.options.ca !== undefined && { ca: [...rootCertificates, this.options.ca] }),
    });
    this.ws = ws;
    ws.on('ping', () => this.expectBeat());
    // Every failure, including a refused connection, ends in 'close'; that is where reconnecting
    // happens. A connection that never opened closes without a reason: the error's message is it
    // (e.g. "self-signed certificate", "connect ECONNREFUSED").
    let failure = '';
    ws.on('error', (err) => (failure = err.message));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onFrame(ws, data.toString());
    });
    ws.on('close', (code, reason) => this.onClose(code, reason.toString() || failure));
  }

  private onFrame(ws: WebSocket, text: string): void {
    let frame: GatewayFrame;
    try {
      frame = JSON.parse(text) as GatewayFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.heartbeatMs = frame.heartbeatMs;
        this.expectBeat();
        this.report({ kind: 'ready', sessionId: frame.sessionId, maxInFlight: frame.maxInFlight });
        return;
      case 'delivery':
        void this.deliver(ws, frame);
        return;
      default:
        // A newer gateway may send frames this listener does not know: ignoring them keeps it compatible.
        return;
    }
  }

  private async deliver(ws: WebSocket, delivery: TunnelDeliveryFrame): Promise<void> {
    const started = performance.now();
    const reply = await this.handle(delivery);
    const latencyMs = Math.round(performance.now() - started);
    const frame: TunnelReplyFrame = { type: 'reply', ...reply };
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    this.report({
      kind: 'delivery',
      at: new Date(),
      id: delivery.id,
      webhookId: delivery.webhookId,
      status: reply.status,
      latencyMs,
    });
  }

  private expectBeat(): void {
    if (this.heartbeatMs === undefined) return;
    clearTimeout(this.silenceTimer);
    const ws = this.ws;
    this.silenceTimer = setTimeout(() => ws?.terminate(), this.heartbeatMs * SILENT_BEATS);
  }

  private onClose(code: number, reason: string): void {
    clearTimeout(this.silenceTimer);
    this.heartbeatMs = undefined;
    if (this.stopped) {
      this.exit({ kind: 'stopped' });
      return;
    }
    if (isFatalTunnelClose(code)) {
      this.report({ kind: 'fatal', code, reason });
      this.exit({ kind: 'fatal', code, reason });
      return;
    }
    const retryInMs = backoffDelay(this.attempt, this.options.backoff);
    this.attempt += 1;
    this.report({ kind: 'disconnected', code, reason, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }
}

/** One line per event, as the CLI prints them: time, webhook, status, latency for each delivery. */
export function formatEvent(event: ListenerEvent): string {
  switch (event.kind) {
    case 'connecting':
      return `connecting to ${event.url}`;
    case 'ready':
      return `listening (session ${event.sessionId}, up to ${event.maxInFlight} deliveries at a time)`;
    case 'delivery':
      return `${event.at.toISOString()}  webhook ${event.webhookId}  delivery ${event.id}  ${event.status}  ${event.latencyMs} ms`;
    case 'disconnected':
      return `disconnected (${event.code}${event.reason ? ` ${event.reason}` : ''}); reconnecting in ${event.retryInMs} ms`;
    case 'fatal':
      return `refused by the gateway (${event.code} ${event.reason}); not reconnecting`;
  }
}
