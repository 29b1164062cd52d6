import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocket, WebSocketServer } from 'ws';
import { credentialOf, tenantOf } from '@hookline/auth';
import { TUNNEL_CLOSE, TUNNEL_PATH_PATTERN, type GatewayFrame } from '@hookline/contracts';
import { MetricsService, PeriodicTask } from '@hookline/service-kit';
import { TunnelGatewayConfig } from '../config/tunnel-gateway.config';
import { parseListenerFrame } from './frames';
import { ListenerAuthService } from './listener-auth.service';
import { ListenerSession } from './listener-session';
import { SessionRegistry } from './session.registry';

/** How long a closing handshake may take at shutdown before the socket is cut. */
const CLOSE_GRACE_MS = 1_000;

/** The shared space named by an upgrade request's path, or undefined when the path is not a tunnel's. */
export function sharedSpaceOfPath(url: string | undefined): string | undefined {
  const match = TUNNEL_PATH_PATTERN.exec(new URL(url ?? '/', 'ws://gateway').pathname);
  if (!match) return undefined;
  try {
    const space = decodeURIComponent(match[1]!);
    return space.length > 0 ? space : undefined;
  } catch {
    return undefined;
  }
}

function sendFrame(ws: WebSocket, frame: GatewayFrame): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

function close(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
}

/**
 * The WebSocket side of the gateway, on the Nest app's own HTTP server. It uses `ws` on the
 * server's `upgrade` event rather than @nestjs/websockets: the tunnel path carries the shared space
 * as a path segment, which Nest gateways (one fixed path each) cannot route, and the protocol needs
 * close codes and ping/pong control that the gateway abstraction hides.
 */
@Injectable()
export class TunnelServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TunnelServer');
  private readonly wss: WebSocketServer;
  /** Connections pinged since their last pong: still here at the next beat means dead. */
  private readonly unanswered = new WeakSet<WebSocket>();
  /** One beat for all connections: pings every listener, drops those that missed the last ping. */
  private readonly heartbeat: PeriodicTask;
  private server?: Server;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: TunnelGatewayConfig,
    private readonly auth: ListenerAuthService,
    private readonly registry: SessionRegistry,
    metrics: MetricsService,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.TUNNEL_MAX_FRAME_BYTES });
    this.heartbeat = new PeriodicTask(
      {
        name: 'tunnel-heartbeat',
        everyMs: config.TUNNEL_HEARTBEAT_MS,
        deadlineMs: config.TUNNEL_HEARTBEAT_MS,
        job: () => this.beat(),
      },
      metrics,
    );
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat.start();
  }

  /** Stops routing deliveries here first, then closes listeners with 1001 so they reconnect elsewhere. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.heartbeat.stop();
    this.server?.off('upgrade', this.onUpgrade);
    this.registry.closeSubscriptions();
    await Promise.all([...this.wss.clients].map((ws) => closeWithin(ws, CLOSE_GRACE_MS)));
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const sharedSpace = sharedSpaceOfPath(req.url);
    if (sharedSpace === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, sharedSpace));
  };

  private accept(ws: WebSocket, req: IncomingMessage, sharedSpace: string): void {
    const remoteAddress = req.socket.remoteAddress ?? 'unknown';
    const headerKey = credentialOf(req);
    let session: ListenerSession | undefined;
    let authStarted = false;
    const authTimeoutMs = this.config.TUNNEL_AUTH_TIMEOUT_MS;
    const authTimer = headerKey
      ? undefined
      : setTimeout(
          () => close(ws, TUNNEL_CLOSE.unauthenticated, `no API key within ${authTimeoutMs} ms`),
          authTimeoutMs,
        );

    const authenticate = async (key: string): Promise<void> => {
      let admission;
      try {
        admission = await this.auth.admit(key, sharedSpace);
      } catch (err) {
        this.logger.error(`cannot check a listener's API key: ${(err as Error).message}`);
        close(ws, TUNNEL_CLOSE.internalError, 'cannot check API keys now; retry later');
        return;
      }
      if (!admission.admitted) {
        close(ws, admission.closeCode, admission.reason);
        return;
      }
      if (ws.readyState !== WebSocket.OPEN) return;
      const opened = new ListenerSession(
        {
          subscriptionId: admission.principal.subscriptionId,
          tenant: tenantOf(admission.principal),
          sharedSpace,
          keyId: admission.principal.keyId,
          remoteAddress,
        },
        { send: (frame) => sendFrame(ws, frame), close: (code, reason) => close(ws, code, reason) },
        { maxInFlight: this.config.TUNNEL_MAX_IN_FLIGHT, replyTimeoutMs: this.config.TUNNEL_REPLY_TIMEOUT_MS },
      );
      // Set before attaching, so a close during the attach still detaches it.
      session = opened;
      try {
        await this.registry.attach(opened);
      } catch (err) {
        this.logger.error(`cannot subscribe for shared space deliveries: ${(err as Error).message}`);
        close(ws, TUNNEL_CLOSE.internalError, 'gateway cannot reach NATS; retry later');
        return;
      }
      sendFrame(ws, {
        type: 'ready',
        sessionId: opened.id,
        sharedSpace,
        maxInFlight: this.config.TUNNEL_MAX_IN_FLIGHT,
        heartbeatMs: this.config.TUNNEL_HEARTBEAT_MS,
      });
      this.logger.log(`listener ${opened.id} (key ${opened.identity.keyId}) connected to shared space ${sharedSpace}`);
    };

    ws.on('pong', () => this.unanswered.delete(ws));
    ws.on('error', (err) => this.logger.warn(`listener connection error: ${err.message}`));
    ws.on('close', (code) => {
      clearTimeout(authTimer);
      if (!session) return;
      this.registry.detach(session);
      this.logger.log(`listener ${session.id} left shared space ${sharedSpace} (close ${code})`);
    });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? undefined : parseListenerFrame(data.toString());
      if (!frame) {
        close(ws, TUNNEL_CLOSE.protocolError, 'expected a JSON auth or reply frame');
        return;
      }
      if (frame.type === 'reply' && session) {
        // An unknown id is a reply that came after its timeout: nothing waits for it any more.
        session.settle({ id: frame.id, status: frame.status, headers: frame.headers, body: frame.body });
        return;
      }
      if (frame.type === 'auth' && !headerKey && !authStarted) {
        authStarted = true;
        clearTimeout(authTimer);
        void authenticate(frame.key);
        return;
      }
      close(ws, TUNNEL_CLOSE.protocolError, frame.type === 'auth' ? 'already authenticated' : 'reply before ready');
    });
    if (headerKey) void authenticate(headerKey);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (this.unanswered.has(ws)) {
        this.logger.warn('a listener missed its heartbeat: dropping the connection');
        ws.terminate();
        continue;
      }
      this.unanswered.add(ws);
      ws.ping();
    }
  }
}

function closeWithin(ws: WebSocket, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const cut = setTimeout(() => ws.terminate(), graceMs);
    ws.once('close', () => {
      clearTimeout(cut);
      resolve();
    });
    close(ws, TUNNEL_CLOSE.goingAway, 'gateway shutting down');
  });
}
