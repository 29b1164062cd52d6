import { Logger } from '@nestjs/common';
import {
  decodeDeliveryJob,
  payloadOfDeliveryJob,
  SUBJECTS,
  type ChangeMessage,
  type DeliveryJob,
  type DeliverySpec,
  type WebhookEvent,
  type WebhookView,
} from '@hookline/contracts';
import { WebhookEventsFeed, type JetStreamPublisher, type NatsClient } from '@hookline/messaging';
import { MetricsService, ReadinessRegistry } from '@hookline/service-kit';
import { webhookView } from '@hookline/testing';
import { WebhookIndexService } from '../index/webhook-index.service';
import { ChangesController } from './changes.controller';
import { deliveryIdOf, MatchService } from './match.service';

/** One message of the WEBHOOKS stream as the ordered consumer hands it over. */
interface StreamMessage {
  seq: number;
  json: () => unknown;
  info: { pending: number };
}

/**
 * The WEBHOOKS stream behind NatsClient (read through the real WebhookEventsFeed): the events stored at start, then live ones, handed over
 * one at a time when the test says so.
 */
class FakeWebhookStream {
  private readonly queue: StreamMessage[] = [];
  private wake?: () => void;
  private closed = false;
  private sequence = 0;
  private lastSeq: number;

  constructor(private readonly stored: number) {
    this.lastSeq = stored;
  }

  /** Hands over the next event; `pending` counts the stored events still to come after it. */
  deliver(event: unknown): void {
    const seq = ++this.sequence;
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.queue.push({ seq, json: () => event, info: { pending: Math.max(0, this.stored - seq) } });
    this.wake?.();
  }

  /** Events published that the matcher has not received yet. */
  storeUnseen(count: number): void {
    this.lastSeq += count;
  }

  readonly client = {
    requestTimeoutMs: 5_000,
    js: { consumers: { get: () => Promise.resolve({ consume: () => Promise.resolve(this.messages()) }) } },
    jsm: {
      streams: { info: () => Promise.resolve({ state: { messages: this.stored, last_seq: this.lastSeq } }) },
    },
  } as unknown as NatsClient;

  private messages() {
    const iterate = async function* (stream: FakeWebhookStream): AsyncGenerator<StreamMessage> {
      while (!stream.closed) {
        const next = stream.queue.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (stream.wake = resolve));
      }
    };
    const iterator = iterate(this);
    return Object.assign(iterator, {
      close: () => {
        this.closed = true;
        this.wake?.();
        return Promise.resolve();
      },
    });
  }
}

/** DELIVERIES behind JetStreamPublisher: what was published, or a failure to publish. */
class FakeDeliveries {
  readonly published: { subject: string; msgId: string; job: DeliveryJob }[] = [];
  failure?: Error;
  readonly publisher = {
    publishBytes: (subject: string, data: Uint8Array, options: { msgId: string }) => {
      if (this.failure) return Promise.reject(this.failure);
      this.published.push({ subject, msgId: options.msgId, job: decodeDeliveryJob(data) });
      return Promise.resolve();
    },
  } as unknown as JetStreamPublisher;
}

const TENANT = 'tenant-a';
const SEALED = 'v1:sealed';

const view = webhookView;

/** The spec the registry builds for view(): what jobs carry. */
function spec(overrides: Partial<DeliverySpec> = {}): DeliverySpec {
  return {
    TargetUrl: 'https://hooks.example.com/in',
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: SEALED,
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 4, RetryOnStatus: [503] },
    ...overrides,
  };
}

function upserted(webhookId: string, objectVersion: number, overrides: Partial<WebhookView> = {}): WebhookEvent {
  const webhook = view({ ObjectUUID: webhookId, _objectVersion: objectVersion, ...overrides });
  return {
    kind: objectVersion === 1 ? 'created' : 'updated',
    tenant: TENANT,
    webhookId,
    objectVersion,
    webhook,
    spec: spec({ TargetUrl: webhook.TargetUrl }),
  };
}

const deleted = (webhookId: string, objectVersion: number): WebhookEvent => ({
  kind: 'deleted',
  tenant: TENANT,
  webhookId,
  objectVersion,
});

function defect(priority: string, overrides: Partial<ChangeMessage> = {}): ChangeMessage {
  const attribute = (name: string, value: unknown) => ({ value, type: 'String', name, display_name: name, ref: null });
  return {
    message_id: `change-${priority}`,
    message_version: 2,
    subscription_id: 100,
    tenant: TENANT,
    action: 'Created',
    object_id: 'defect-1',
    object_type: 'Defect',
    state: { 'id-priority': attribute('Priority', priority), 'id-name': attribute('Name', 'Login fails') },
    changes: {},
    ingested_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Lets the index's feed loop take what was handed over. */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('matcher: the webhook index fed from WEBHOOKS, and the CHANGES handler', () => {
  let stream: FakeWebhookStream;
  let deliveries: FakeDeliveries;
  let readiness: ReadinessRegistry;
  let index: WebhookIndexService;
  let consumer: ChangesController;

  async function start(stored: number): Promise<void> {
    stream = new FakeWebhookStream(stored);
    deliveries = new FakeDeliveries();
    readiness = new ReadinessRegistry();
    index = new WebhookIndexService(new WebhookEventsFeed(stream.client), readiness);
    const matches = new MatchService(index, deliveries.publisher);
    consumer = new ChangesController(matches, index, new MetricsService('matcher-test'));
    await index.onApplicationBootstrap();
  }

  afterEach(() => index.onApplicationShutdown());

  // The index logs each load and each event it cannot apply; the tests check the effects instead.
  beforeAll(() => Logger.overrideLogger(false));

  const indexReady = async () => (await readiness.evaluate()).checks['webhook-index'];

  describe('the index feed', () => {
    it('is ready at once when the stream is empty', async () => {
      await start(0);
      expect(await indexReady()).toEqual({ ok: true });
    });

    it('holds changes back until the stream is read up to where it stood at start', async () => {
      await start(2);
      stream.deliver(upserted('wh-1', 1));
      await drained();
      expect(await indexReady()).toEqual({ ok: false, detail: 'loading webhooks' });
      let handled = false;
      const handling = consumer.onChange(defect('High')).then(() => (handled = true));
      await drained();
      expect(handled).toBe(false);

      stream.deliver(upserted('wh-2', 1));
      await handling;
      expect(await indexReady()).toEqual({ ok: true });
      // Both webhooks were in the index when the change was matched.
      expect(deliveries.published.map((p) => p.job.webhookId).sort()).toEqual(['wh-1', 'wh-2']);
    });

    it('applies each version once: an older or repeated event changes nothing', async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 2, { TargetUrl: 'https://v2.example.com/in' }));
      stream.deliver(upserted('wh-1', 1, { TargetUrl: 'https://v1.example.com/in' }));
      stream.deliver(upserted('wh-1', 2, { TargetUrl: 'https://replayed.example.com/in' }));
      await drained();
      expect(index.get(TENANT, 'wh-1')?.spec.TargetUrl).toBe('https://v2.example.com/in');
    });

    it('drops a deleted webhook', async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 1));
      stream.deliver(deleted('wh-1', 2));
      await drained();
      expect(index.all(TENANT)).toEqual([]);
      expect((await index.status()).tenants).toEqual({});
    });

    it('keeps the version it has when a newer event is malformed, and goes on with the next events', async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 1));
      const { spec: _spec, ...withoutSpec } = upserted('wh-1', 2);
      stream.deliver(withoutSpec);
      stream.deliver({ ...upserted('wh-1', 3), spec: { ...spec(), TargetUrl: '' } });
      stream.deliver({ ...upserted('wh-1', 4), objectVersion: 'four' });
      stream.deliver('not an event');
      stream.deliver(upserted('wh-2', 1));
      await drained();
      expect(index.get(TENANT, 'wh-1')?.objectVersion).toBe(1);
      expect(index.get(TENANT, 'wh-2')).toBeDefined();
    });

    it('keeps the version it has when a newer one does not compile, and goes on with the next events', async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 1));
      stream.deliver(upserted('wh-1', 2, { Condition: '${webhookContext.F} = ' }));
      stream.deliver(upserted('wh-2', 1));
      await drained();
      expect(index.get(TENANT, 'wh-1')?.objectVersion).toBe(1);
      expect(index.get(TENANT, 'wh-2')).toBeDefined();
    });

    it('reports per-tenant counts, enabled ones apart, and how far behind the stream it is', async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 1));
      stream.deliver(upserted('wh-2', 1, { Disabled: true }));
      await drained();
      stream.storeUnseen(3);
      expect(await index.status()).toEqual({
        loaded: true,
        total: 1,
        tenants: { [TENANT]: { webhooks: 2, enabled: 1 } },
        lag: 3,
      });
    });

    it("takes the registry's spec as it is, for the jobs to carry", async () => {
      await start(0);
      const sealed = spec({
        Headers: { 'X-Env': 'v1:env' },
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://auth.example.com/token',
          ClientId: 'cid',
          ClientSecret: 'v1:client',
          Scope: null,
          ClientAuthMethod: 'client_secret_post',
        },
      });
      stream.deliver({ ...upserted('wh-1', 1), spec: sealed });
      await drained();
      expect(index.get(TENANT, 'wh-1')?.spec).toEqual(sealed);
    });

    describe('events stored before they carried the spec', () => {
      /** An event as registries published it before `spec`: the masked view beside the sealed secrets. */
      function storedBefore(webhookId: string, overrides: Partial<WebhookView>, secrets: Record<string, unknown>) {
        const { spec: _spec, ...event } = upserted(webhookId, 1, overrides);
        return { ...event, secrets };
      }

      it('are read back into the spec the registry builds now, so an unchanged webhook keeps firing', async () => {
        await start(0);
        const oauth = {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://auth.example.com/token',
          ClientId: 'cid',
          ClientSecret: '****',
          Scope: null,
          ClientAuthMethod: 'client_secret_post',
        } as const;
        stream.deliver(
          storedBefore(
            'wh-1',
            { Authentication: oauth, Headers: { 'X-Env': '****' } },
            { SigningSecret: SEALED, Authentication: { ClientSecret: 'v1:client' }, Headers: { 'X-Env': 'v1:env' } },
          ),
        );
        stream.deliver(
          storedBefore(
            'wh-2',
            { Authentication: { Type: 'Token', Scheme: 'AR-JWT', Token: '****' } },
            { SigningSecret: SEALED, Authentication: { Token: 'v1:token' }, Headers: {} },
          ),
        );
        await drained();
        expect(index.get(TENANT, 'wh-1')?.spec).toEqual(
          spec({
            Headers: { 'X-Env': 'v1:env' },
            Authentication: { ...oauth, ClientSecret: 'v1:client' },
          }),
        );
        expect(index.get(TENANT, 'wh-2')?.spec.Authentication).toEqual({
          Type: 'Token',
          Scheme: 'AR-JWT',
          Token: 'v1:token',
        });
        await consumer.onChange(defect('High'));
        expect(deliveries.published.map((p) => p.job.spec.SigningSecret)).toEqual([SEALED, SEALED]);
      });

      it('leave a ClientAuthMethod they lack absent, for the dispatcher to read as it reads older jobs', async () => {
        await start(0);
        stream.deliver(
          storedBefore(
            'wh-1',
            {
              Authentication: {
                Type: 'OAuth2ClientCredentials',
                TokenUrl: 'https://auth.example.com/token',
                ClientId: 'cid',
                ClientSecret: '****',
                Scope: null,
              },
            },
            { SigningSecret: SEALED, Authentication: { ClientSecret: 'v1:client' }, Headers: {} },
          ),
        );
        await drained();
        expect(index.get(TENANT, 'wh-1')?.spec.Authentication).toEqual({
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://auth.example.com/token',
          ClientId: 'cid',
          ClientSecret: 'v1:client',
          Scope: null,
        });
      });

      it('are replaced by a newer event in the current form', async () => {
        await start(0);
        stream.deliver(storedBefore('wh-1', {}, { SigningSecret: 'v1:old', Authentication: null, Headers: {} }));
        stream.deliver(upserted('wh-1', 2));
        await drained();
        expect(index.get(TENANT, 'wh-1')?.spec.SigningSecret).toBe(SEALED);
      });
    });
  });

  describe('a change message', () => {
    beforeEach(async () => {
      await start(0);
      stream.deliver(upserted('wh-1', 1));
      stream.deliver(upserted('wh-off', 1, { Disabled: true }));
      stream.deliver(upserted('wh-stories', 1, { ObjectTypes: ['HierarchicalRequirement'] }));
      stream.deliver({ ...upserted('wh-elsewhere', 1), tenant: 'tenant-b' });
      await drained();
    });

    it('becomes one job per enabled matching webhook of its tenant, on its subject, deduped by delivery id', async () => {
      await consumer.onChange(defect('High'));
      expect(deliveries.published).toHaveLength(1);
      const [{ subject, msgId, job }] = deliveries.published;
      const deliveryId = deliveryIdOf(TENANT, 'change-High', 'wh-1');
      expect(subject).toBe(SUBJECTS.delivery(TENANT, 'wh-1'));
      expect(msgId).toBe(deliveryId);
      expect(job).toMatchObject({
        deliveryId,
        tenant: TENANT,
        webhookId: 'wh-1',
        messageId: 'change-High',
        spec: { TargetUrl: 'https://hooks.example.com/in', SigningSecret: SEALED },
      });
      // Rally's payload: the rule that fired and the change message.
      expect(payloadOfDeliveryJob(job)).toMatchObject({
        rule: { Name: 'High defects' },
        message: { message_id: 'change-High', object_type: 'Defect' },
      });
    });

    it('gives a redelivered change the same delivery id, so JetStream keeps one job', async () => {
      await consumer.onChange(defect('High'));
      await consumer.onChange(defect('High'));
      const [first, second] = deliveries.published;
      expect(second.msgId).toBe(first.msgId);
      await consumer.onChange(defect('High', { message_id: 'another-change' }));
      expect(deliveries.published[2].msgId).not.toBe(first.msgId);
    });

    it('publishes nothing when no expression matches', async () => {
      await consumer.onChange(defect('Low'));
      expect(deliveries.published).toEqual([]);
    });

    it('fails when a job cannot be stored, so the change is not acked', async () => {
      deliveries.failure = new Error('no responders');
      await expect(consumer.onChange(defect('High'))).rejects.toThrow('no responders');
    });

    it('matches against the index as it is now: a webhook updated to another object type stops firing', async () => {
      stream.deliver(upserted('wh-1', 2, { ObjectTypes: ['HierarchicalRequirement'] }));
      await drained();
      await consumer.onChange(defect('High'));
      expect(deliveries.published).toEqual([]);
    });
  });
});

describe('the dry run of unsaved filters', () => {
  // draftRun reads no stored webhook, so the service needs neither the index nor a publisher.
  const matches = new MatchService(null as never, null as never);
  const change = {
    action: 'Updated' as const,
    object_type: 'Defect',
    before: { Priority: 'Low', State: 'Open' },
    after: { Priority: 'High', State: 'Open' },
  };

  it('fires when every clause holds, and otherwise names the clause that failed', () => {
    expect(
      matches.draftRun(
        {
          ObjectTypes: ['Defect'],
          Expressions: [{ AttributeName: 'Priority', Operator: 'changed-to', Value: 'High' }],
        },
        change,
      ),
    ).toEqual({ fires: true });
    expect(
      matches.draftRun(
        {
          Events: ['Updated'],
          Expressions: [
            { AttributeName: 'State', Operator: '=', Value: 'Open' },
            { AttributeName: 'Priority', Operator: '=', Value: 'Low' },
          ],
        },
        change,
      ),
    ).toMatchObject({ fires: false, failed: { clause: 'Expressions[1]' } });
    expect(matches.draftRun({ Events: ['Created'] }, change)).toMatchObject({
      fires: false,
      failed: { clause: 'Events' },
    });
  });

  it('refuses filters the matcher could not compile, naming each field as the webhook API does', () => {
    expect(() => matches.draftRun({ Expressions: [{ AttributeName: 'Priority', Operator: 'is' }] }, change)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field: expect.stringMatching(/^Webhook\.Expressions\.0\./) })],
      }),
    );
  });
});
