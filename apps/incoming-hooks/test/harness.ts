/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { STREAMS, type ChangeMessage } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { startApp, startTestInfra, type RunningApp, type TestInfra } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../change-ingest/src/change-ingest.app';
import { REGISTRY_APP } from '../../registry/src/registry.app';
import { INCOMING_HOOKS_APP } from '../src/incoming-hooks.app';

const ADMIN_KEY = `hk_test_admin_${randomBytes(16).toString('hex')}`;

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * incoming-hooks on a private NATS and a fresh database; the registry beside it makes API keys.
 * With `changeIngest`, change-ingest runs too, so run states reach CHANGES as PipelineRun changes.
 */
export class IncomingHooksHarness {
  private constructor(
    readonly infra: TestInfra,
    readonly registry: RunningApp,
    readonly service: RunningApp,
  ) {}

  /** change-ingest beside the service, when started (see startChangeIngest). */
  ingest?: RunningApp;

  static async start(
    env: Record<string, string> = {},
    options: { changeIngest?: boolean } = {},
  ): Promise<IncomingHooksHarness> {
    const infra = await startTestInfra();
    const base = {
      NATS_URL: infra.natsUrl,
      MONGO_URL: infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    let registry: RunningApp | undefined;
    let service: RunningApp | undefined;
    try {
      registry = await startApp(REGISTRY_APP, { ...base, HOOKLINE_ADMIN_KEY: ADMIN_KEY });
      service = await startApp(INCOMING_HOOKS_APP, { ...base, ...env });
      const harness = new IncomingHooksHarness(infra, registry, service);
      if (options.changeIngest) await harness.startChangeIngest();
      return harness;
    } catch (err) {
      await service?.close();
      await registry?.close();
      await infra.stop();
      throw err;
    }
  }

  /** Starts change-ingest on the harness's NATS and database (again, after a test closed it). */
  async startChangeIngest(): Promise<void> {
    this.ingest = await startApp(CHANGE_INGEST_APP, { NATS_URL: this.infra.natsUrl, MONGO_URL: this.infra.mongoUrl });
  }

  /** A new key of a subscription, made with the bootstrap admin key. */
  async createKey(subscriptionId: number, roles: string[] = ['admin']): Promise<string> {
    const reply = await fetch(`${this.registry.baseUrl}/api/v2/apikey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Name: `key for ${subscriptionId}`, Roles: roles, SubscriptionID: subscriptionId }),
    });
    if (reply.status !== 200) throw new Error(`key creation failed: ${reply.status} ${await reply.text()}`);
    return ((await reply.json()) as { Key: string }).Key;
  }

  /** A management call as the seed's curl makes it. */
  async api<T = any>(method: string, route: string, key: string, body?: unknown): Promise<Reply<T>> {
    const response = await fetch(`${this.service.baseUrl}${route}`, {
      method,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return reply<T>(response);
  }

  /** A sender calling a hook URL with exactly these bytes. */
  async call<T = any>(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return reply<T>(response);
  }

  get nats(): NatsClient {
    return this.service.app.get(NatsClient);
  }

  async stop(): Promise<void> {
    await this.ingest?.close();
    await this.service?.close();
    await this.registry?.close();
    await this.infra?.stop();
  }
}

async function reply<T>(response: Response): Promise<Reply<T>> {
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/**
 * GitHub's `sha256=<hex>` signature made by @octokit/webhooks-methods, an implementation that
 * shares no code with ours. It is ESM-only, so it runs in a plain Node process rather than jest.
 */
export function octokitSign(secret: string, payload: string): Promise<string> {
  const script =
    "import { sign } from '@octokit/webhooks-methods';" +
    "let body = ''; for await (const chunk of process.stdin) body += chunk;" +
    'process.stdout.write(await sign(process.env.HOOK_SECRET, body));';
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      // In the environment, not argv: a secret starting with '-' would be read as a node option.
      { cwd: path.join(__dirname, '..'), env: { PATH: process.env.PATH ?? '', HOOK_SECRET: secret } },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(payload);
  });
}

/** Bare-hex HMAC with node's crypto, for the algorithms octokit does not do. */
export function hmacHex(algorithm: 'sha1' | 'sha256' | 'sha512', secret: string, payload: string): string {
  return createHmac(algorithm, secret).update(payload, 'utf8').digest('hex');
}

/** The change messages change-ingest stored in CHANGES for one object (a run), oldest first. */
export async function changesOf(nats: NatsClient, objectId: string): Promise<ChangeMessage[]> {
  const info = await nats.jsm.streams.info(STREAMS.CHANGES.name).catch(() => undefined);
  const out: ChangeMessage[] = [];
  if (!info || info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = (await nats.jsm.streams.getMessage(STREAMS.CHANGES.name, { seq }))?.json<ChangeMessage>();
    if (message?.object_id === objectId) out.push(message);
  }
  return out;
}

/** The run's `Status` in a PipelineRun change message. */
export function statusOf(message: ChangeMessage): unknown {
  return Object.values(message.state).find((attribute) => attribute.name === 'Status')?.value;
}

export { waitFor } from '@hookline/testing';

/** The seed's hook (Devopness "Deploy `main` branch"), verbatim. */
export const SEED_HOOK = {
  name: 'Deploy `main` branch',
  requires_secret: true,
  secret_algorithm: 'sha256',
  secret_header_name: 'x-hub-signature-256',
  action_type: 'deploy',
  settings: {
    variables: [
      { name: 'source_type', type: 'string', required: false, default_value: 'branch' },
      { name: 'source_ref', path: 'pull_request.head.ref', type: 'string', required: false, default_value: 'main' },
      { name: 'pull_request_id', path: 'pull_request.number', type: 'integer', required: false },
      { name: 'pull_request_title', path: 'pull_request.title', type: 'string', required: false },
      { name: 'commit_hash', path: 'pull_request.head.sha', type: 'string', required: false },
    ],
  },
};

/** The parts of a GitHub `pull_request` event the seed's variables read, plus some it does not. */
export const PULL_REQUEST_EVENT = {
  action: 'closed',
  number: 42,
  pull_request: {
    url: 'https://api.github.com/repos/acme/shop/pulls/42',
    number: 42,
    state: 'closed',
    title: 'Add checkout retries',
    merged: true,
    head: { ref: 'feature/retries', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', repo: { full_name: 'acme/shop' } },
    base: { ref: 'main', sha: '9049f1265b7d61be4a8904a9a27120d2064dab3b' },
  },
  repository: { full_name: 'acme/shop' },
  sender: { login: 'octocat' },
};
