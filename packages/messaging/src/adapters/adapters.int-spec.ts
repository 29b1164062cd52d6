import { Logger } from '@nestjs/common';
import {
  decodeDeliveryJob,
  encodeDeliveryJob,
  PRIOR_ATTEMPTS_HEADER,
  STREAMS,
  SUBJECTS,
  UrlUnblockedEvent,
  type NewDeliveryJob,
  type StreamName,
} from '@hookline/contracts';
import { startNats, waitFor, type RunningServer } from '@hookline/testing';
import { NatsClient } from '../nats-client';
import { JetStreamPublisher } from '../publisher';
import { declareStream } from '../streams';
import { DeliveryAttemptsBucket } from './delivery-attempts.bucket';
import { GoneWebhooksBucket } from './gone-webhooks.bucket';
import { Notices } from './notices';
import { ParkedJobsQueue } from './parked-jobs.queue';
import { QueuedDeliveries } from './queued-deliveries';
import { WebhookEventsFeed, type WebhookFeedMessage } from './webhook-events.feed';

const STREAM_NAMES: StreamName[] = ['WEBHOOKS', 'DELIVERIES', 'PARKED_DELIVERIES'];

const job = (deliveryId: string, webhookId: string, tenant = '100'): NewDeliveryJob => ({
  deliveryId,
  tenant,
  webhookId,
  messageId: `m-${deliveryId}`,
  spec: {
    TargetUrl: 'https://receiver.example/hook',
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: 'v1:sealed',
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
  },
  payload: { rule: {}, message: { id: deliveryId } },
  createdAt: '2026-12-07T10:00:00.000Z',
});

/** Every message stored on a stream now, oldest first. */
async function storedOn(nats: NatsClient, stream: string) {
  const { state } = await nats.jsm.streams.info(stream);
  const stored = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const msg = await nats.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg) stored.push(msg);
  }
  return stored;
}

describe('messaging adapters against a real nats-server', () => {
  let server: RunningServer;
  /** Two connections, as two service instances would have. */
  let one: NatsClient;
  let two: NatsClient;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    server = await startNats({ private: true });
    one = await NatsClient.connect(server.url, 'adapters-one', { requestTimeoutMs: 2_000 });
    two = await NatsClient.connect(server.url, 'adapters-two', { requestTimeoutMs: 2_000 });
    for (const name of STREAM_NAMES) await declareStream(one.jsm, STREAMS[name]);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await server?.stop();
  });

  describe('WebhookEventsFeed', () => {
    const event = (webhookId: string, objectVersion: number) => ({
      kind: 'updated',
      tenant: '100',
      webhookId,
      objectVersion,
    });
    const publish = (webhookId: string, version: number) =>
      one.js.publish(SUBJECTS.webhookEvent('100', webhookId), JSON.stringify(event(webhookId, version)));

    it('says an empty stream is empty, then reads what is stored and follows what comes', async () => {
      const empty = new WebhookEventsFeed(two);
      expect(await empty.follow(() => undefined)).toEqual({ emptyAtStart: true });
      await empty.close();

      await publish('wh-1', 1);
      await publish('wh-2', 1);
      await publish('wh-1', 2);
      const feed = new WebhookEventsFeed(two);
      const seen: WebhookFeedMessage[] = [];
      expect(await feed.follow((msg) => seen.push(msg))).toEqual({ emptyAtStart: false });
      // One message per webhook is kept: wh-2's first version and wh-1's second.
      await waitFor(() => seen.length === 2);
      expect(seen.map((m) => m.json<{ webhookId: string; objectVersion: number }>())).toEqual([
        event('wh-2', 1),
        event('wh-1', 2),
      ]);
      expect(seen.map((m) => m.caughtUp)).toEqual([false, true]);

      const live = await publish('wh-3', 1);
      await waitFor(() => seen.length === 3);
      expect(seen[2].seq).toBe(live.seq);
      expect(await feed.lastSequence()).toBe(live.seq);
      await feed.close();
    });
  });

  describe('GoneWebhooksBucket', () => {
    it('tells every instance of a gone webhook, those that start later included', async () => {
      const first = new GoneWebhooksBucket(one);
      const second = new GoneWebhooksBucket(two);
      const seenBySecond: Array<[string, boolean]> = [];
      expect(await first.follow(() => undefined)).toEqual([]);
      await second.follow((key, gone) => seenBySecond.push([key, gone]));

      await first.markGone('100', 'wh.1 gone');
      await waitFor(() => seenBySecond.length === 1);
      expect(seenBySecond).toEqual([[GoneWebhooksBucket.keyOf('100', 'wh.1 gone'), true]]);

      const later = new GoneWebhooksBucket(two);
      expect(await later.follow(() => undefined)).toEqual([GoneWebhooksBucket.keyOf('100', 'wh.1 gone')]);
      for (const bucket of [first, second, later]) bucket.stop();
    });
  });

  describe('Notices', () => {
    it('hands every instance each valid notice and drops the others', async () => {
      const seen: Array<[string, UrlUnblockedEvent]> = [];
      const subscriptions = [one, two].map((client, i) =>
        new Notices(client).follow(SUBJECTS.urlUnblockedAll, UrlUnblockedEvent, (event) =>
          seen.push([`instance-${i}`, event]),
        ),
      );
      const publisher = new JetStreamPublisher(one);
      await publisher.notifyConfirmed(SUBJECTS.urlUnblocked('100'), { tenant: '100' }, 2_000);
      const valid = { tenant: '100', id: 'block-1', unblockedAt: '2026-12-07T10:00:00.000Z' };
      await publisher.notifyConfirmed(SUBJECTS.urlUnblocked('100'), valid, 2_000);
      await waitFor(() => seen.length === 2);
      expect(seen.map(([instance, event]) => [instance, { ...event }]).sort()).toEqual([
        ['instance-0', valid],
        ['instance-1', valid],
      ]);
      for (const subscription of subscriptions) subscription.stop();
    });
  });

  describe('DeliveryAttemptsBucket', () => {
    it('keeps a delivery’s attempts for every instance until forgotten', async () => {
      const first = new DeliveryAttemptsBucket(one);
      const second = new DeliveryAttemptsBucket(two);
      await first.onModuleInit();
      await second.onModuleInit();
      expect(await second.made('delivery-1')).toBe(0);
      await first.record('delivery-1', 3);
      expect(await second.made('delivery-1')).toBe(3);
      await second.forget('delivery-1');
      expect(await first.made('delivery-1')).toBe(0);
    });
  });

  describe('ParkedJobsQueue', () => {
    it('parks jobs per key, counts them, and releases each once to DELIVERIES with its attempts', async () => {
      const queueOne = new ParkedJobsQueue(one, new JetStreamPublisher(one));
      const queueTwo = new ParkedJobsQueue(two, new JetStreamPublisher(two));
      for (const id of ['d1', 'd2', 'd3']) await queueOne.park('origin-a', job(id, 'w1'), 2, `${id}:1`);
      // A second park of the same message (a lost ack) is dropped by the stream.
      await queueOne.park('origin-a', job('d1', 'w1'), 2, 'd1:1');
      await queueTwo.park('origin-b', job('d4', 'w2'), 0, 'd4:1');

      expect(await queueTwo.countsBySubject(SUBJECTS.parkedAll)).toEqual({
        [SUBJECTS.parkedDelivery('origin-a', '100', 'w1')]: 3,
        [SUBJECTS.parkedDelivery('origin-b', '100', 'w2')]: 1,
      });

      expect(await queueOne.release('origin-a', 2)).toEqual({ released: 2, failed: 0, firstError: undefined });
      // The other instance releases the rest, none of the first two again.
      expect(await queueTwo.release('origin-a', 5)).toEqual({ released: 1, failed: 0, firstError: undefined });
      // The server removes an acked job shortly after the ack, not before release returns.
      await waitFor(
        async () => Object.keys(await queueOne.countsBySubject(SUBJECTS.parkedForOrigin('origin-a'))).length === 0,
      );

      const released = await storedOn(one, STREAMS.DELIVERIES.name);
      expect(released.map((m) => m.subject)).toEqual(Array(3).fill(SUBJECTS.delivery('100', 'w1')));
      expect(released.map((m) => decodeDeliveryJob(m.data).deliveryId).sort()).toEqual(['d1', 'd2', 'd3']);
      expect(released.map((m) => m.header.get(PRIOR_ATTEMPTS_HEADER))).toEqual(['2', '2', '2']);
      queueOne.forget('origin-a');
      queueTwo.forget('origin-a');
    });
  });

  describe('QueuedDeliveries', () => {
    it('counts the jobs waiting per webhook for one tenant only', async () => {
      await one.jsm.streams.purge(STREAMS.DELIVERIES.name);
      const publisher = new JetStreamPublisher(one);
      const queue = (tenant: string, webhookId: string, id: string) =>
        publisher.publishBytes(SUBJECTS.delivery(tenant, webhookId), encodeDeliveryJob(job(id, webhookId, tenant)), {
          msgId: `queued-${id}`,
        });
      await queue('100', 'w1', 'q1');
      await queue('100', 'w1', 'q2');
      await queue('100', 'w 2', 'q3');
      await queue('200', 'w1', 'q4');

      expect(await new QueuedDeliveries(two).perWebhookToken('100')).toEqual(
        new Map([
          ['w1', 2],
          ['w%202', 1],
        ]),
      );
    });
  });

  it('gives up on a call once NATS stops answering, within the deadline', async () => {
    const own = await startNats({ private: true });
    const client = await NatsClient.connect(own.url, 'adapters-deadline', { requestTimeoutMs: 300 });
    await declareStream(client.jsm, STREAMS.DELIVERIES);
    await own.stop();
    const startedAt = Date.now();
    await expect(new QueuedDeliveries(client).perWebhookToken('100')).rejects.toThrow();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await client.connection.close();
  });
});
