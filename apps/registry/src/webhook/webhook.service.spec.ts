import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { SecretBox, type Principal } from '@hookline/auth';
import { SUBJECTS, type NewDeliveryJob, type WebhookEvent } from '@hookline/contracts';
import type { JetStreamPublisher, NatsClient } from '@hookline/messaging';
import { HooklineError, loadConfig, MetricsService } from '@hookline/service-kit';
import { readDeliveryJob, webhookBody } from '@hookline/testing';
import { RegistryConfig } from '../config/registry.config';
import type { DeliveryLogRepository } from '../delivery-log/delivery-log.repository';
import type { FailedDeliveryRecord } from '../delivery-log/delivery-log.schema';
import { DispatcherGateway } from '../dispatch/dispatcher.gateway';
import type { WebhookBodyDto } from './dto/webhook-request.dto';
import { WebhookEvents } from './webhook-events';
import { readWebhook, type StoredWebhook, type WebhookRepository } from './webhook.repository';
import { WebhookService } from './webhook.service';

/*
 * The webhook service with its real collaborators (WebhookEvents, DispatcherGateway, SecretBox,
 * config), faked only where the process ends: MongoDB behind the two repositories, NATS behind
 * the publisher. The fakes keep the repositories' contracts (tenant scope, versioned writes,
 * defaults on read); the integration tests hold the real ones to them.
 */

type UsedWebhookMethods =
  | 'insert'
  | 'findById'
  | 'updateVersioned'
  | 'markDeleted'
  | 'purge'
  | 'clearPendingEvent'
  | 'pendingEventsOfAllSubscriptions';

/** The webhooks collection in memory: documents as stored, read through readWebhook as the repository does. */
class InMemoryWebhooks implements Pick<WebhookRepository, UsedWebhookMethods> {
  readonly documents = new Map<string, StoredWebhook>();
  /** Runs just before the next versioned write: another request's change landing in between. */
  beforeNextWrite?: () => Promise<unknown>;

  insert(subscriptionId: number, record: Omit<StoredWebhook, 'SubscriptionID'>) {
    const document = structuredClone({ ...record, SubscriptionID: subscriptionId });
    this.documents.set(document._id, document);
    return Promise.resolve(readWebhook(structuredClone(document)));
  }

  findById(subscriptionId: number, id: string) {
    const document = this.live(subscriptionId, id);
    return Promise.resolve(document ? readWebhook(structuredClone(document)) : null);
  }

  async updateVersioned(
    subscriptionId: number,
    id: string,
    expectedVersion: number,
    set: Partial<StoredWebhook>,
    now: Date,
  ) {
    const before = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    await before?.();
    const document = this.live(subscriptionId, id);
    if (!document || document.ObjectVersion !== expectedVersion) return null;
    const ObjectVersion = expectedVersion + 1;
    const defined = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
    Object.assign(document, structuredClone(defined), {
      ObjectVersion,
      LastUpdateDate: now,
      PendingEvent: { Kind: 'updated', ObjectVersion },
    });
    return readWebhook(structuredClone(document));
  }

  markDeleted(subscriptionId: number, id: string, now: Date) {
    const document = this.live(subscriptionId, id);
    if (!document) return Promise.resolve(null);
    const ObjectVersion = document.ObjectVersion + 1;
    Object.assign(document, { DeletedAt: now, ObjectVersion, PendingEvent: { Kind: 'deleted', ObjectVersion } });
    return Promise.resolve(readWebhook(structuredClone(document)));
  }

  purge(subscriptionId: number, id: string) {
    const document = this.documents.get(id);
    if (document?.SubscriptionID === subscriptionId && document.DeletedAt !== null) this.documents.delete(id);
    return Promise.resolve();
  }

  clearPendingEvent(subscriptionId: number, id: string, objectVersion: number) {
    const document = this.documents.get(id);
    if (document?.SubscriptionID === subscriptionId && document.PendingEvent?.ObjectVersion === objectVersion)
      document.PendingEvent = null;
    return Promise.resolve();
  }

  pendingEventsOfAllSubscriptions(lastUpdatedBefore: Date, limit: number) {
    const pending = [...this.documents.values()].filter(
      (d) => d.PendingEvent !== null && d.LastUpdateDate < lastUpdatedBefore,
    );
    return Promise.resolve(pending.slice(0, limit).map((d) => readWebhook(structuredClone(d))));
  }

  private live(subscriptionId: number, id: string): StoredWebhook | undefined {
    const document = this.documents.get(id);
    return document?.SubscriptionID === subscriptionId && document.DeletedAt === null ? document : undefined;
  }
}

type UsedLogMethods = 'claimReplay' | 'claimFirstReplay' | 'neverReplayed';

/** The failed deliveries collection in memory. */
class InMemoryFailedDeliveries implements Pick<DeliveryLogRepository, UsedLogMethods> {
  readonly records = new Map<string, FailedDeliveryRecord>();

  add(record: Partial<FailedDeliveryRecord> & Pick<FailedDeliveryRecord, '_id' | 'WebhookID'>): void {
    this.records.set(record._id, {
      SubscriptionID: 100,
      MessageID: `message-of-${record._id}`,
      Payload: { rule: { Name: 'saved' }, message: { message_id: `message-of-${record._id}` } },
      LastStatus: 500,
      Attempts: 4,
      Error: 'HTTP 500',
      FailedAt: new Date('2026-01-01T00:00:00Z'),
      ReplayCount: 0,
      LastReplayAt: null,
      ...record,
    });
  }

  claimReplay(subscriptionId: number, webhookId: string, deliveryId: string, now: Date) {
    const record = this.records.get(deliveryId);
    if (record?.SubscriptionID !== subscriptionId || record.WebhookID !== webhookId) return Promise.resolve(null);
    Object.assign(record, { ReplayCount: record.ReplayCount + 1, LastReplayAt: now });
    return Promise.resolve(structuredClone(record));
  }

  claimFirstReplay(subscriptionId: number, deliveryId: string, now: Date) {
    const record = this.records.get(deliveryId);
    if (record?.SubscriptionID !== subscriptionId || record.ReplayCount !== 0) return Promise.resolve(null);
    Object.assign(record, { ReplayCount: 1, LastReplayAt: now });
    return Promise.resolve(structuredClone(record));
  }

  neverReplayed(subscriptionId: number, webhookId: string, limit: number) {
    const owed = [...this.records.values()]
      .filter((r) => r.SubscriptionID === subscriptionId && r.WebhookID === webhookId && r.ReplayCount === 0)
      .sort((a, b) => a.FailedAt.getTime() - b.FailedAt.getTime() || a._id.localeCompare(b._id));
    return Promise.resolve(owed.slice(0, limit).map((r) => structuredClone(r)));
  }
}

/** JetStream as the registry publishes to it: what was stored, per subject, as it went on the wire. */
class FakeJetStream {
  readonly events: { subject: string; msgId: string; event: WebhookEvent }[] = [];
  readonly jobs: { subject: string; msgId: string; job: NewDeliveryJob }[] = [];
  down = false;

  readonly publisher = {
    publish: (subject: string, payload: unknown, options: { msgId: string }) => {
      if (this.down) return Promise.reject(new Error('no responders available for request'));
      this.events.push({ subject, msgId: options.msgId, event: JSON.parse(JSON.stringify(payload)) as WebhookEvent });
      return Promise.resolve();
    },
    publishBytes: (subject: string, data: Uint8Array, options: { msgId: string }) => {
      if (this.down) return Promise.reject(new Error('no responders available for request'));
      this.jobs.push({ subject, msgId: options.msgId, job: readDeliveryJob(data) });
      return Promise.resolve();
    },
  } as unknown as JetStreamPublisher;
}

const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const box = new SecretBox(ENCRYPTION_KEY);
const principal: Principal = { subscriptionId: 100, keyId: 'key-1', roles: ['admin'], sharedSpaces: [] };
const REF_BASE = 'http://127.0.0.1:8080/api/v2/webhook';
const TARGET = 'http://127.0.0.1:9/hook';

describe('WebhookService with its collaborators, MongoDB and NATS faked', () => {
  let webhooks: InMemoryWebhooks;
  let failed: InMemoryFailedDeliveries;
  let jetstream: FakeJetStream;
  let events: WebhookEvents;
  let service: WebhookService;

  // WebhookEvents logs a publish it leaves to the relay; the tests check the effect instead.
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    const config = loadConfig('registry', RegistryConfig, {
      NATS_URL: 'nats://127.0.0.1:4222',
      MONGO_URL: 'mongodb://127.0.0.1/hookline',
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      // Receivers on this machine, as the integration tests use.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      EVENT_OUTBOX_INTERVAL_MS: '100',
    });
    webhooks = new InMemoryWebhooks();
    failed = new InMemoryFailedDeliveries();
    jetstream = new FakeJetStream();
    events = new WebhookEvents(
      webhooks as unknown as WebhookRepository,
      jetstream.publisher,
      config,
      new MetricsService('test'),
    );
    // The gateway's NATS connection is only for awaiting test outcomes, which these tests do not do.
    const dispatcher = new DispatcherGateway(jetstream.publisher, null as unknown as NatsClient);
    service = new WebhookService(
      webhooks as unknown as WebhookRepository,
      failed as unknown as DeliveryLogRepository,
      events,
      dispatcher,
      box,
      config,
    );
  });

  async function created(overrides: Record<string, unknown> = {}): Promise<string> {
    const body = webhookBody({ TargetUrl: TARGET, ...overrides }) as unknown as WebhookBodyDto;
    const { webhook } = await service.create(principal, body, REF_BASE);
    return webhook._id;
  }

  const patch = (id: string, body: Record<string, unknown>) =>
    service.update(principal, id, body as unknown as WebhookBodyDto, REF_BASE);

  const eventsOf = (id: string) => jetstream.events.filter((e) => e.event.webhookId === id).map((e) => e.event);
  const lastEventOf = (id: string) => eventsOf(id).at(-1)!;

  const refusal = async (action: Promise<unknown>) => {
    const err = await action.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HooklineError);
    const { code, details } = err as HooklineError;
    return { code, details };
  };

  describe('update', () => {
    it('changes only the fields sent and publishes the new version with the spec jobs will carry', async () => {
      const id = await created({
        Name: 'before',
        Headers: { 'X-Env': 'prod' },
        Authentication: { Type: 'Basic', Username: 'hook', Password: 'p@ss' },
      });
      const shown = lastEventOf(id).webhook!;
      const sealedEnv = lastEventOf(id).spec!.Headers['X-Env'];

      const updated = await patch(id, {
        TargetUrl: 'http://127.0.0.1:9/v2',
        // As GET showed it (masked) beside a new one: the stored value stays, the new one is sealed.
        Headers: { 'X-Env': shown.Headers['X-Env'], 'X-Team': 'payments' },
      });

      expect(updated).toMatchObject({ Name: 'before', TargetUrl: 'http://127.0.0.1:9/v2', ObjectVersion: 2 });
      expect(jetstream.events.at(-1)).toMatchObject({ subject: SUBJECTS.webhookEvent('100', id), msgId: `${id}:2` });
      const event = lastEventOf(id);
      expect(event).toMatchObject({ kind: 'updated', tenant: '100', objectVersion: 2 });
      expect(event.webhook).toMatchObject({ Name: 'before', TargetUrl: 'http://127.0.0.1:9/v2', _objectVersion: 2 });
      expect(event.webhook!.Headers['X-Team']).not.toBe('payments');
      const spec = event.spec!;
      expect(spec.TargetUrl).toBe('http://127.0.0.1:9/v2');
      expect(spec.Headers['X-Env']).toBe(sealedEnv);
      expect(box.decrypt(spec.Headers['X-Team'])).toBe('payments');
      expect(spec.Authentication).toMatchObject({ Type: 'Basic', Username: 'hook' });
      expect(box.decrypt((spec.Authentication as { Password: string }).Password)).toBe('p@ss');
      expect(webhooks.documents.get(id)?.PendingEvent).toBeNull();
    });

    it('says how OAuth2 client credentials are sent in the event and the API, when the request leaves it out', async () => {
      const id = await created();
      const updated = await patch(id, {
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'http://127.0.0.1:9/token',
          ClientId: 'cid',
          ClientSecret: 'client-secret',
        },
      });
      expect(updated.Authentication).toMatchObject({ ClientAuthMethod: 'client_secret_basic' });
      const event = lastEventOf(id);
      expect(event.webhook!.Authentication).toMatchObject({ ClientAuthMethod: 'client_secret_basic' });
      expect(event.spec!.Authentication).toMatchObject({
        Type: 'OAuth2ClientCredentials',
        ClientId: 'cid',
        ClientAuthMethod: 'client_secret_basic',
      });

      await patch(id, {
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'http://127.0.0.1:9/token',
          ClientId: 'cid',
          ClientSecret: event.webhook!.Authentication!.ClientSecret,
          ClientAuthMethod: 'client_secret_post',
        },
      });
      expect(lastEventOf(id).spec!.Authentication).toMatchObject({ ClientAuthMethod: 'client_secret_post' });
    });

    it('refuses a result that is invalid as a whole with 400 naming the field, storing and publishing nothing', async () => {
      const id = await created();
      expect(await refusal(patch(id, { CommunicationMethod: 'websocket' }))).toEqual({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field: 'SharedSpace' })],
      });
      expect(webhooks.documents.get(id)?.ObjectVersion).toBe(1);
      expect(eventsOf(id)).toHaveLength(1);
    });

    it('refuses with 409 when another change landed meanwhile, and 404 once the webhook is deleted', async () => {
      const id = await created();
      webhooks.beforeNextWrite = () => patch(id, { Name: 'the other request' });
      expect((await refusal(patch(id, { Name: 'mine' }))).code).toBe('CONFLICT');
      expect(eventsOf(id).map((e) => [e.objectVersion, e.webhook?.Name])).toEqual([
        [1, 'A test webhook'],
        [2, 'the other request'],
      ]);

      await service.remove(principal, id);
      expect((await refusal(patch(id, { Name: 'too late' }))).code).toBe('NOT_FOUND');
      expect(eventsOf(id).map((e) => [e.kind, e.objectVersion])).toEqual([
        ['created', 1],
        ['updated', 2],
        ['deleted', 3],
      ]);
      expect(webhooks.documents.has(id)).toBe(false);
    });

    it('publishes nothing for a PATCH that changes nothing', async () => {
      const id = await created();
      expect((await patch(id, {})).ObjectVersion).toBe(1);
      expect(eventsOf(id)).toHaveLength(1);
    });

    it('keeps a change made while NATS is down, and the relay publishes it later', async () => {
      const id = await created();
      jetstream.down = true;
      expect((await patch(id, { Name: 'while down' })).Name).toBe('while down');
      expect(webhooks.documents.get(id)?.PendingEvent).toEqual({ Kind: 'updated', ObjectVersion: 2 });
      expect(eventsOf(id)).toHaveLength(1);

      jetstream.down = false;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await events.relayPending()).toBe(1);
      expect(lastEventOf(id)).toMatchObject({ objectVersion: 2, webhook: { Name: 'while down' } });
      expect(webhooks.documents.get(id)?.PendingEvent).toBeNull();
    });
  });

  describe('replay', () => {
    it("queues the saved payload again, to the webhook's current target, as that delivery's next replay", async () => {
      const id = await created();
      await patch(id, { TargetUrl: 'http://127.0.0.1:9/moved' });
      failed.add({ _id: 'delivery-1', WebhookID: id, MessageID: 'change-1' });

      expect(await service.replay(principal, id, 'delivery-1')).toBe('delivery-1-replay-1');
      expect(await service.replay(principal, id, 'delivery-1')).toBe('delivery-1-replay-2');

      expect(jetstream.jobs.map((j) => [j.subject, j.msgId])).toEqual([
        [SUBJECTS.delivery('100', id), 'delivery-1-replay-1'],
        [SUBJECTS.delivery('100', id), 'delivery-1-replay-2'],
      ]);
      const { job } = jetstream.jobs[0];
      expect(job).toMatchObject({
        deliveryId: 'delivery-1-replay-1',
        tenant: '100',
        webhookId: id,
        messageId: 'change-1',
      });
      expect(job.payload).toEqual(failed.records.get('delivery-1')!.Payload);
      // The spec the registry published for the matcher: one spec, whoever makes the job.
      expect(job.spec).toEqual(lastEventOf(id).spec);
      expect(job.spec.TargetUrl).toBe('http://127.0.0.1:9/moved');
    });

    it('refuses a disabled webhook (409), an unknown delivery (404) and one saved without payload (422)', async () => {
      const id = await created();
      failed.add({ _id: 'no-payload', WebhookID: id, Payload: null });
      failed.add({ _id: 'elsewhere', WebhookID: 'another-webhook' });

      expect((await refusal(service.replay(principal, id, 'unknown'))).code).toBe('NOT_FOUND');
      expect((await refusal(service.replay(principal, id, 'elsewhere'))).code).toBe('NOT_FOUND');
      expect((await refusal(service.replay(principal, id, 'no-payload'))).code).toBe('UNPROCESSABLE');
      await patch(id, { Disabled: true });
      failed.add({ _id: 'delivery-2', WebhookID: id });
      expect((await refusal(service.replay(principal, id, 'delivery-2'))).code).toBe('CONFLICT');
      expect(failed.records.get('delivery-2')?.ReplayCount).toBe(0);
      expect(jetstream.jobs).toEqual([]);
    });

    it('sends each failed delivery never replayed once more when the receiver is back, but not a failed replay', async () => {
      const id = await created();
      failed.add({ _id: 'older', WebhookID: id, FailedAt: new Date('2026-01-01T00:00:00Z') });
      failed.add({ _id: 'newer', WebhookID: id, FailedAt: new Date('2026-01-02T00:00:00Z') });
      failed.add({ _id: 'newer-replay-1', WebhookID: id, FailedAt: new Date('2026-01-03T00:00:00Z') });
      failed.add({ _id: 'done', WebhookID: id, ReplayCount: 1 });

      expect(await service.processFailedOnceMore(100, id, 10)).toBe(3);
      expect(jetstream.jobs.map((j) => j.job.deliveryId)).toEqual(['older-replay-1', 'newer-replay-1']);
      expect(await service.processFailedOnceMore(100, id, 10)).toBe(0);
      expect(jetstream.jobs).toHaveLength(2);
    });
  });
});
