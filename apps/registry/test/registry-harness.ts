/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { randomBytes } from 'node:crypto';
import { NatsClient } from '@hookline/messaging';
import type { NewDeliveryJob } from '@hookline/contracts';
import {
  ApiClient,
  readDeliveryJob,
  startApp,
  startTestInfra,
  type RunningApp,
  type TestInfra,
} from '@hookline/testing';
import { REGISTRY_APP } from '../src/registry.app';

const decoder = new TextDecoder();

export const ADMIN_KEY = `hk_test_admin_${randomBytes(16).toString('hex')}`;
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

export interface Reply<T = any> {
  status: number;
  body: T;
  /** Names lower-cased. */
  headers: Record<string, string>;
}

/**
 * The delivery policy the dispatcher harnesses use (receivers on 127.0.0.1, any port), so webhooks
 * the tests create pass the registry's check that they can be delivered to.
 */
export const TEST_DELIVERY_POLICY = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_HTTP_PORTS: 'any',
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
};

function startRegistry(infra: TestInfra, env: Record<string, string>): Promise<RunningApp> {
  return startApp(REGISTRY_APP, {
    NATS_URL: infra.natsUrl,
    MONGO_URL: infra.mongoUrl,
    HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    ...TEST_DELIVERY_POLICY,
    ...env,
  });
}

/** A registry on a private NATS and a fresh database, with an HTTP client that speaks as a given key. */
export class RegistryHarness {
  private constructor(
    readonly infra: TestInfra,
    readonly registry: RunningApp,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<RegistryHarness> {
    const infra = await startTestInfra();
    try {
      const registry = await startRegistry(infra, env);
      return new RegistryHarness(infra, registry);
    } catch (err) {
      await infra.stop();
      throw err;
    }
  }

  /** One more registry instance on the same NATS and database, e.g. one started after a crash of another. */
  startAnother(env: Record<string, string> = {}): Promise<RunningApp> {
    return startRegistry(this.infra, env);
  }

  get nats(): NatsClient {
    return this.registry.app.get(NatsClient);
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { key?: string; cookie?: string; body?: unknown; rawBody?: string } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.cookie) headers.cookie = `ZSESSIONID=${options.cookie}`;
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.registry.baseUrl}${path}`, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: Object.fromEntries(response.headers),
    };
  }

  /** A new key of a subscription, made with the bootstrap admin key. */
  createKey(subscriptionId: number, roles: string[] = ['admin'], sharedSpaces: string[] = []): Promise<string> {
    return new ApiClient(this.registry.baseUrl, ADMIN_KEY).createKey(subscriptionId, roles, sharedSpaces);
  }

  /** Every delivery job published from now on, as its producer made it. */
  collectJobs(): NewDeliveryJob[] {
    return this.collect('deliveries.>', readDeliveryJob);
  }

  /** Collects every message on `subject` (core NATS sees JetStream publishes too), read as JSON unless told. */
  collect<T = any>(
    subject: string,
    read: (data: Uint8Array) => T = (data) => JSON.parse(decoder.decode(data)) as T,
  ): T[] {
    const seen: T[] = [];
    this.nats.connection.subscribe(subject, {
      callback: (err, msg) => {
        if (!err) seen.push(read(msg.data));
      },
    });
    return seen;
  }

  async publish(subject: string, payload: unknown, msgId: string): Promise<void> {
    await this.nats.js.publish(subject, JSON.stringify(payload), { msgID: msgId });
  }

  async stop(): Promise<void> {
    await this.registry?.close();
    await this.infra?.stop();
  }
}

export { SEED_EXAMPLE, waitFor } from '@hookline/testing';
