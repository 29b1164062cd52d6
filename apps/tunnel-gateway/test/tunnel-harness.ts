import { randomUUID } from 'node:crypto';
import { connect as connectTcp, createServer as createTcpServer, type Socket } from 'node:net';
import { ApiKeyRepository, apiKeyHint, generateApiKey, hashApiKey, type Role } from '@hookline/auth';
import { SUBJECTS, tunnelPath, type TunnelDeliveryReply, type TunnelDeliveryRequest } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { Receiver, startApp, startTestInfra, type RunningApp, type TestInfra } from '@hookline/testing';
import { NoRespondersError, RequestError } from '@nats-io/nats-core';
import { WebSocket, type ClientOptions } from 'ws';
import { TUNNEL_GATEWAY_APP } from '../src/tunnel-gateway.app';

export const TENANT = 7;
export const OTHER_TENANT = 8;

/** Short heartbeats so dead connections are found within a test's patience. */
export const GATEWAY_ENV = {
  TUNNEL_HEARTBEAT_MS: '400',
  TUNNEL_MAX_IN_FLIGHT: '2',
  TUNNEL_AUTH_TIMEOUT_MS: '1000',
};

/** Real NATS, a database, gateway instances and a connection that plays the dispatcher. */
export class TunnelHarness {
  readonly gateways: RunningApp[] = [];

  private constructor(
    readonly infra: TestInfra,
    readonly dispatcher: NatsClient,
  ) {}

  static async start(): Promise<TunnelHarness> {
    const infra = await startTestInfra();
    const dispatcher = await NatsClient.connect(infra.natsUrl, 'test-dispatcher');
    return new TunnelHarness(infra, dispatcher);
  }

  async startGateway(env: Record<string, string> = {}): Promise<RunningApp> {
    const gateway = await startApp(TUNNEL_GATEWAY_APP, {
      NATS_URL: this.infra.natsUrl,
      MONGO_URL: this.infra.mongoUrl,
      ...GATEWAY_ENV,
      ...env,
    });
    this.gateways.push(gateway);
    return gateway;
  }

  /** An API key stored the way the registry stores it. */
  async createKey(roles: Role[], sharedSpaces: string[] = [], subscriptionId = TENANT): Promise<string> {
    const key = generateApiKey();
    await this.gateways[0]!.app.get(ApiKeyRepository).create(subscriptionId, {
      id: randomUUID(),
      name: `test ${roles.join('+')}`,
      hash: hashApiKey(key),
      hint: apiKeyHint(key),
      roles,
      sharedSpaces,
      createdBy: null,
    });
    return key;
  }

  /** What the dispatcher does: a core NATS request on the space's tunnel subject. */
  async deliver(
    sharedSpace: string,
    request: Partial<TunnelDeliveryRequest> = {},
    timeoutMs = 5_000,
  ): Promise<TunnelDeliveryReply> {
    const body: TunnelDeliveryRequest = {
      id: `d-${randomUUID()}`,
      webhookId: 'wh-1',
      headers: { 'content-type': 'application/json', 'x-hookline-signature': 'v1,test' },
      body: JSON.stringify({ rule: 'r', message: { action: 'Created', object_id: 'o-1' } }),
      ...request,
    };
    const reply = await this.dispatcher.connection.request(
      SUBJECTS.tunnelDelivery(String(TENANT), sharedSpace),
      JSON.stringify(body),
      {
        timeout: timeoutMs,
      },
    );
    return reply.json<TunnelDeliveryReply>();
  }

  /** Resolves with the error's kind as the dispatcher would classify it, or 'answered'. */
  async deliveryFailure(sharedSpace: string): Promise<'answered' | 'no-responders' | 'other'> {
    try {
      await this.deliver(sharedSpace, {}, 2_000);
      return 'answered';
    } catch (err) {
      return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())
        ? 'no-responders'
        : 'other';
    }
  }

  async stop(): Promise<void> {
    for (const gateway of this.gateways) await gateway.close();
    await this.dispatcher.close();
    await this.infra.stop();
  }
}

export function wsUrl(gateway: RunningApp | string, sharedSpace: string): string {
  const base = typeof gateway === 'string' ? gateway : gateway.baseUrl;
  return base.replace(/^http/, 'ws') + tunnelPath(sharedSpace);
}

export type RawOutcome =
  { kind: 'ready'; ws: WebSocket; frame: Record<string, unknown> } | { kind: 'closed'; code: number; reason: string };

/** A bare WebSocket client: resolves with the gateway's ready frame or its close code. */
export function openRaw(url: string, options: ClientOptions = {}, firstMessage?: unknown): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      if (firstMessage !== undefined) ws.send(JSON.stringify(firstMessage));
    });
    ws.on('message', (data) =>
      resolve({ kind: 'ready', ws, frame: JSON.parse(data.toString()) as Record<string, unknown> }),
    );
    ws.on('close', (code, reason) => resolve({ kind: 'closed', code, reason: reason.toString() }));
    ws.on('error', (err) => {
      if (ws.readyState !== WebSocket.CLOSED && ws.readyState !== WebSocket.CLOSING) reject(err);
    });
  });
}

/** Where the receiver behind the firewall takes deliveries. */
export const RECEIVER_PATH = '/hooks';

/** Makes the receiver behind the firewall answer `status` as plain text that names it. */
export function answerWith(receiver: Receiver, status: number): void {
  receiver.behave(RECEIVER_PATH, {
    status,
    body: `receiver says ${status}`,
    headers: { 'content-type': 'text/plain' },
  });
}

/** The receiver behind the firewall: a real HTTP server on 127.0.0.1 (see answerWith). */
export async function startLocalReceiver(): Promise<Receiver> {
  const receiver = await Receiver.start();
  answerWith(receiver, 200);
  return receiver;
}

/**
 * A TCP hop between listener and gateway that the test can break: `cut` ends every connection,
 * `refuse` turns new ones away, `freeze` silently stops carrying bytes (a dead network path).
 */
export class TcpProxy {
  mode: 'pass' | 'refuse' = 'pass';
  baseUrl = '';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private readonly server = createTcpServer((client) => this.accept(client));

  private constructor(private readonly targetPort: number) {}

  static async start(target: RunningApp): Promise<TcpProxy> {
    const proxy = new TcpProxy(Number(new URL(target.baseUrl).port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.server.address() as { port: number };
    proxy.baseUrl = `http://127.0.0.1:${port}`;
    return proxy;
  }

  cut(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  freeze(): void {
    for (const pair of this.pairs) {
      pair.frozen = true;
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connectTcp(this.targetPort, '127.0.0.1');
    const pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      this.pairs.delete(pair);
      // A frozen path tells neither end that the other is gone: only heartbeats can find out.
      if (pair.frozen) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}

export { waitFor } from '@hookline/testing';
