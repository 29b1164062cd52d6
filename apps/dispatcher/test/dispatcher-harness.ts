import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { apiKeyHint, ApiKeyRepository, generateApiKey, hashApiKey, SecretBox, type Role } from '@hookline/auth';
import {
  encodeDeliveryJob,
  SUBJECTS,
  type DeliveryOutcome,
  type DeliverySpec,
  type NewDeliveryJob,
} from '@hookline/contracts';
import { generateSecret } from '@hookline/delivery';
import { NatsClient } from '@hookline/messaging';
import { startApp, startTestInfra, waitFor, watchOutcomes, type RunningApp, type TestInfra } from '@hookline/testing';
import { DISPATCHER_APP } from '../src/dispatcher.app';

export const ENCRYPTION_KEY = randomBytes(32).toString('base64');
export const box = new SecretBox(ENCRYPTION_KEY);
export const TENANT = '100';

/** Settings for local receivers: plain HTTP on any port, loopback allow-listed, short deadlines. */
export const LOCAL_ENV: Record<string, string> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_HTTP_PORTS: 'any',
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
  WEBHOOK_REQUEST_TIMEOUT: '1000',
};

export { waitFor };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const answer =
  (status: number, body = '', headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end(body);
  };

export const FAST_RETRIES = {
  MaxRetries: 3,
  InitialDelayMs: 100,
  BackoffMultiplier: 1,
  RetryOnStatus: [408, 409, 425, 429, 502, 503, 504],
};

export function spec(
  targetUrl: string,
  overrides: Partial<DeliverySpec> = {},
  signingSecret = generateSecret(),
): DeliverySpec {
  return {
    TargetUrl: targetUrl,
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: box.encrypt(signingSecret),
    RetryPolicy: FAST_RETRIES,
    ...overrides,
  };
}

export function job(deliverySpec: DeliverySpec, overrides: Partial<NewDeliveryJob> = {}): NewDeliveryJob {
  const webhookId = overrides.webhookId ?? randomUUID();
  const messageId = randomUUID();
  return {
    deliveryId: `${messageId}:${webhookId}`,
    tenant: TENANT,
    webhookId,
    messageId,
    spec: deliverySpec,
    payload: { rule: { Name: 'rule' }, message: { message_id: messageId, object_type: 'Defect' } },
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A dispatcher on a private NATS and a fresh database, with a client connection that sees every outcome. */
export class DispatcherHarness {
  readonly outcomes: DeliveryOutcome[] = [];

  private constructor(
    readonly infra: TestInfra,
    readonly client: NatsClient,
    public dispatcher: RunningApp,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string> = LOCAL_ENV): Promise<DispatcherHarness> {
    const infra = await startTestInfra();
    const fullEnv = {
      NATS_URL: infra.natsUrl,
      MONGO_URL: infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ...env,
    };
    const dispatcher = await startApp(DISPATCHER_APP, fullEnv);
    const client = await NatsClient.connect(infra.natsUrl, 'dispatcher-test');
    const h = new DispatcherHarness(infra, client, dispatcher, fullEnv);
    watchOutcomes(client.connection, (outcome) => h.outcomes.push(outcome));
    await client.connection.flush();
    return h;
  }

  /** Stops the dispatcher (as a deploy or crash would) and starts a fresh instance on the same NATS. */
  async restart(): Promise<void> {
    await this.dispatcher.close();
    this.dispatcher = await startApp(DISPATCHER_APP, this.env);
  }

  /** A second instance on the same NATS and database, sharing the work (stop it with close()). */
  async startAnother(): Promise<RunningApp> {
    return startApp(DISPATCHER_APP, this.env);
  }

  async publish(deliveryJob: NewDeliveryJob): Promise<void> {
    await this.client.js.publish(
      SUBJECTS.delivery(deliveryJob.tenant, deliveryJob.webhookId),
      encodeDeliveryJob(deliveryJob),
      { msgID: deliveryJob.deliveryId },
    );
  }

  outcomesOf(deliveryId: string): DeliveryOutcome[] {
    return this.outcomes.filter((o) => o.deliveryId === deliveryId);
  }

  /** Waits for the delivery's final outcome (success, failed or gone) and returns all its outcomes. */
  async settled(deliveryId: string, timeoutMs = 15_000): Promise<DeliveryOutcome[]> {
    await waitFor(
      () => this.outcomesOf(deliveryId).some((o) => o.kind === 'success' || o.kind === 'failed' || o.kind === 'gone'),
      timeoutMs,
    );
    return this.outcomesOf(deliveryId);
  }

  async createKey(subscriptionId: number, roles: Role[]): Promise<string> {
    const key = generateApiKey();
    await this.dispatcher.app.get(ApiKeyRepository).create(subscriptionId, {
      id: randomUUID(),
      name: 'test key',
      hash: hashApiKey(key),
      hint: apiKeyHint(key),
      roles,
      sharedSpaces: [],
      createdBy: null,
    });
    return key;
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    key: string,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.dispatcher.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async stop(): Promise<void> {
    await this.dispatcher?.close();
    await this.client?.close();
    await this.infra?.stop();
  }
}
