import { randomBytes, randomUUID } from 'node:crypto';
import {
  STREAMS,
  SUBJECTS,
  type DeliverySpec,
  type NewDeliveryJob,
  type WebhookEvent,
  type WebhookView,
} from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import {
  changeMessage,
  readDeliveryJob,
  startApp,
  startTestInfra,
  waitFor,
  webhookView,
  type RunningApp,
  type TestInfra,
} from '@hookline/testing';
import { AppModule } from '../app.module';

const ADMIN_KEY = `hk_test_admin_${randomBytes(16).toString('hex')}`;
const TENANT = '100';

/** A webhook as the registry shows it: fires on every Defect change of tenant 100 whose Priority is High. */
function view(webhookId: string, overrides: Partial<WebhookView> = {}): WebhookView {
  return webhookView({
    AppName: 'Tests',
    AppUrl: 'www.example.com',
    Name: `webhook ${webhookId}`,
    TargetUrl: `https://receiver.example.com/${webhookId}`,
    ObjectUUID: webhookId,
    SubscriptionID: Number(TENANT),
    _ref: `http://127.0.0.1/api/v2/webhook/${webhookId}`,
    Events: ['Created', 'Updated', 'Deleted'],
    Triggers: [],
    PayloadFormat: 'rally',
    Dialect: 'rally',
    Headers: { 'X-Env': '****' },
    Authentication: { Type: 'Basic', Username: 'hook', Password: '****' },
    RetryPolicy: { MaxRetries: 2, InitialDelayMs: 500, BackoffMultiplier: 2, RetryOnStatus: [503] },
    SigningSecret: 'whsec_****',
    ...overrides,
  });
}

/** The sealed spec the registry would publish for view(webhookId). */
function spec(webhookId: string): DeliverySpec {
  return {
    TargetUrl: `https://receiver.example.com/${webhookId}`,
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: { 'X-Env': `v1:header-${webhookId}` },
    Authentication: { Type: 'Basic', Username: 'hook', Password: `v1:password-${webhookId}` },
    SigningSecret: `v1:signing-${webhookId}`,
    RetryPolicy: { MaxRetries: 2, InitialDelayMs: 500, BackoffMultiplier: 2, RetryOnStatus: [503] },
  };
}

function upserted(webhookId: string, objectVersion: number, overrides: Partial<WebhookView> = {}): WebhookEvent {
  return {
    kind: objectVersion === 1 ? 'created' : 'updated',
    tenant: TENANT,
    webhookId,
    objectVersion,
    webhook: view(webhookId, { _objectVersion: objectVersion, ...overrides }),
    spec: spec(webhookId),
  };
}

const highDefect = () =>
  changeMessage({
    tenant: TENANT,
    object_type: 'Defect',
    state: { p: { value: 'High', type: 'String', name: 'Priority', display_name: 'Priority', ref: null } },
  });

describe('matcher app (real nats-server): webhook events in, delivery jobs out', () => {
  let infra: TestInfra;
  let matcher: RunningApp;
  let nats: NatsClient;

  const startMatcher = () =>
    startApp(
      { service: 'matcher', module: AppModule },
      { NATS_URL: infra.natsUrl, MONGO_URL: infra.mongoUrl, HOOKLINE_ADMIN_KEY: ADMIN_KEY },
    );

  async function publishEvent(event: WebhookEvent | Record<string, unknown>, webhookId: string): Promise<void> {
    await nats.js.publish(SUBJECTS.webhookEvent(TENANT, webhookId), JSON.stringify(event));
  }

  async function indexStatus(): Promise<{ loaded: boolean; lag: number; tenants: Record<string, unknown> }> {
    const response = await fetch(`${matcher.baseUrl}/api/v2/index`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { loaded: boolean; lag: number; tenants: Record<string, unknown> };
  }

  /** Resolves once the matcher has applied every WEBHOOKS event published so far. */
  const indexCaughtUp = () =>
    waitFor(async () => {
      const status = await indexStatus();
      return status.loaded && status.lag === 0;
    });

  /** Publishes a CHANGES message and resolves once the matcher has settled it (acked or terminated). */
  async function settledChange(data: string): Promise<number> {
    const { seq } = await nats.js.publish(SUBJECTS.change(TENANT, 'Defect', 'Created'), data);
    await waitFor(async () => {
      const info = await nats.jsm.consumers.info(STREAMS.CHANGES.name, 'matcher');
      return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0;
    });
    return seq;
  }

  /** The jobs the matcher stored for one change message. */
  async function jobsOf(messageId: string): Promise<NewDeliveryJob[]> {
    const { state } = await nats.jsm.streams.info(STREAMS.DELIVERIES.name);
    const jobs: NewDeliveryJob[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await nats.jsm.streams.getMessage(STREAMS.DELIVERIES.name, { seq });
      const job = readDeliveryJob(message!.data);
      if (job.messageId === messageId) jobs.push(job);
    }
    return jobs.sort((a, b) => a.webhookId.localeCompare(b.webhookId));
  }

  async function jobsFor(): Promise<NewDeliveryJob[]> {
    const change = highDefect();
    await settledChange(JSON.stringify(change));
    return jobsOf(change.message_id);
  }

  beforeAll(async () => {
    infra = await startTestInfra();
    // A first matcher makes the streams; the first test restarts it, to rebuild its index from them.
    matcher = await startMatcher();
    nats = matcher.app.get(NatsClient);
    await publishEvent(upserted('before-restart', 1), 'before-restart');
    // As a registry published it before events carried the spec: the masked view and sealed secrets.
    const { spec: _spec, ...legacy } = upserted('stored-before-spec', 1);
    await publishEvent(
      {
        ...legacy,
        secrets: {
          SigningSecret: 'v1:signing-legacy',
          Authentication: { Password: 'v1:password-legacy' },
          Headers: { 'X-Env': 'v1:header-legacy' },
        },
      },
      'stored-before-spec',
    );
    await indexCaughtUp();
  });

  afterAll(async () => {
    await matcher?.close();
    await infra?.stop();
  });

  it('rebuilds its index from the stream at start, events stored before the spec included', async () => {
    await matcher.close();
    matcher = await startMatcher();
    nats = matcher.app.get(NatsClient);
    await indexCaughtUp();
    const jobs = await jobsFor();
    expect(jobs.map((job) => [job.webhookId, job.spec])).toEqual([
      ['before-restart', spec('before-restart')],
      [
        'stored-before-spec',
        {
          ...spec('stored-before-spec'),
          Headers: { 'X-Env': 'v1:header-legacy' },
          Authentication: { Type: 'Basic', Username: 'hook', Password: 'v1:password-legacy' },
          SigningSecret: 'v1:signing-legacy',
        },
      ],
    ]);
  });

  it('indexes a new webhook from its event and puts its sealed spec, as published, in each job', async () => {
    const id = `new-${randomUUID()}`;
    await publishEvent(upserted(id, 1), id);
    await indexCaughtUp();
    const job = (await jobsFor()).find((j) => j.webhookId === id);
    expect(job).toMatchObject({ tenant: TENANT, webhookId: id, spec: spec(id) });
    expect(job?.payload).toMatchObject({ rule: { ObjectUUID: id, Name: `webhook ${id}` } });
    // The masked view is for matching and the payload; the job carries no masked value.
    expect(JSON.stringify(job?.spec)).not.toContain('****');
  });

  it('makes no job for a webhook once it is disabled or deleted, and again once it is enabled', async () => {
    const [disabled, deleted] = [`off-${randomUUID()}`, `gone-${randomUUID()}`];
    await publishEvent(upserted(disabled, 1), disabled);
    await publishEvent(upserted(deleted, 1), deleted);
    await indexCaughtUp();
    expect((await jobsFor()).map((j) => j.webhookId)).toEqual(expect.arrayContaining([disabled, deleted]));

    await publishEvent(upserted(disabled, 2, { Disabled: true }), disabled);
    await publishEvent({ kind: 'deleted', tenant: TENANT, webhookId: deleted, objectVersion: 2 }, deleted);
    await indexCaughtUp();
    const after = (await jobsFor()).map((j) => j.webhookId);
    expect(after).not.toContain(disabled);
    expect(after).not.toContain(deleted);

    await publishEvent(upserted(disabled, 3), disabled);
    await indexCaughtUp();
    expect((await jobsFor()).map((j) => j.webhookId)).toContain(disabled);
  });

  it('skips a malformed webhook event, keeping the version it has', async () => {
    const id = `kept-${randomUUID()}`;
    await publishEvent(upserted(id, 1), id);
    await publishEvent({ ...upserted(id, 2), spec: { ...spec(id), SigningSecret: 42 } }, id);
    await indexCaughtUp();
    expect((await jobsFor()).find((j) => j.webhookId === id)?.spec).toEqual(spec(id));
  });

  it('terminates a malformed change message instead of retrying it, and goes on matching', async () => {
    for (const malformed of ['{not json', JSON.stringify({ ...highDefect(), action: 'Exploded' })]) {
      const seq = await settledChange(malformed);
      const info = await nats.jsm.consumers.info(STREAMS.CHANGES.name, 'matcher');
      expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(seq);
      expect(info.num_redelivered).toBe(0);
    }
    expect(await jobsFor()).not.toEqual([]);
    expect((await fetch(`${matcher.baseUrl}/health/ready`)).status).toBe(200);
  });
});
