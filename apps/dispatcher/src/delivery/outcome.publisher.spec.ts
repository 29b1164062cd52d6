import { SUBJECTS, TEST_DELIVERY_PREFIX, type DeliveryOutcome, type DeliveryOutcomeBatch } from '@hookline/contracts';
import type { JetStreamPublisher, PublishOptions } from '@hookline/messaging';
import { OutcomePublisher } from './outcome.publisher';

interface Published {
  subject: string;
  json: string;
  msgId: string;
}

/** Records what would go to JetStream; a subject listed in `refused` fails as an unreachable server would. */
function recordingPublisher(refused: string[] = []): { published: Published[]; publisher: JetStreamPublisher } {
  const published: Published[] = [];
  const publisher = {
    publishSerialized: async (subject: string, json: string, options: PublishOptions) => {
      if (refused.some((prefix) => subject.startsWith(prefix))) throw new Error('no JetStream');
      published.push({ subject, json, msgId: options.msgId });
    },
  } as unknown as JetStreamPublisher;
  return { published, publisher };
}

const job = (n: number, payload: Record<string, unknown> = {}) => ({
  deliveryId: `m-${n}:w-${n % 3}`,
  tenant: '100',
  webhookId: `w-${n % 3}`,
  messageId: `m-${n}`,
  body: new TextEncoder().encode(JSON.stringify(payload)),
});

const outcomesIn = (message: Published): DeliveryOutcome[] =>
  (JSON.parse(message.json) as DeliveryOutcomeBatch).outcomes;

describe('OutcomePublisher', () => {
  it('gathers the outcomes of concurrent attempts into batches, each outcome once', async () => {
    const { published, publisher } = recordingPublisher();
    const outcomes = new OutcomePublisher(publisher);
    await Promise.all(
      Array.from({ length: 50 }, (_, n) => outcomes.publish(job(n), 1, { kind: 'success', status: 200, latencyMs: n })),
    );
    expect(published.length).toBeLessThan(5);
    expect(published.every((m) => m.subject.startsWith('outcome-batches.'))).toBe(true);
    const ids = published.flatMap(outcomesIn).map((o) => o.deliveryId);
    expect(ids.sort()).toEqual(Array.from({ length: 50 }, (_, n) => job(n).deliveryId).sort());
    expect(new Set(published.map((m) => m.msgId)).size).toBe(published.length);
  });

  it('keeps each batch under the size limit and sends a test delivery or an oversized outcome alone', async () => {
    const { published, publisher } = recordingPublisher();
    const outcomes = new OutcomePublisher(publisher);
    const bulky = { text: '€'.repeat(100_000) };
    const huge = { text: 'x'.repeat(300_000) };
    await Promise.all([
      ...Array.from({ length: 6 }, (_, n) => outcomes.publish(job(n, bulky), 5, { kind: 'failed', latencyMs: 1 })),
      outcomes.publish(job(6, huge), 5, { kind: 'failed', latencyMs: 1 }),
      outcomes.publish({ ...job(7), deliveryId: `${TEST_DELIVERY_PREFIX}7` }, 1, { kind: 'success', latencyMs: 1 }),
    ]);
    const batches = published.filter((m) => m.subject.startsWith('outcome-batches.'));
    const alone = published.filter((m) => !m.subject.startsWith('outcome-batches.'));
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(Buffer.byteLength(batch.json)).toBeLessThan(1024 * 1024);
    expect(batches.flatMap(outcomesIn).map((o) => o.payload)).toEqual(Array.from({ length: 6 }, () => bulky));
    expect(alone.map((m) => [m.subject, m.msgId])).toEqual(
      expect.arrayContaining([
        [SUBJECTS.outcome('100', 'w-0'), 'm-6:w-0:5'],
        [SUBJECTS.outcome('100', 'w-1'), `${TEST_DELIVERY_PREFIX}7:1`],
      ]),
    );
  });

  it('keeps the body of a failed delivery only, and none that is not JSON', async () => {
    const { published, publisher } = recordingPublisher();
    const outcomes = new OutcomePublisher(publisher);
    await outcomes.publish(job(1, { rule: { Name: 'r' } }), 1, { kind: 'success', latencyMs: 1 });
    await outcomes.publish(job(2, { rule: { Name: 'r' } }), 4, { kind: 'failed', latencyMs: 1 });
    await outcomes.publish({ ...job(3), body: new TextEncoder().encode('not json') }, 4, {
      kind: 'failed',
      latencyMs: 1,
    });
    const byDelivery = new Map(published.flatMap(outcomesIn).map((o) => [o.messageId, o]));
    expect(byDelivery.get('m-1')).not.toHaveProperty('payload');
    expect(byDelivery.get('m-2')?.payload).toEqual({ rule: { Name: 'r' } });
    expect(byDelivery.get('m-3')).toMatchObject({ kind: 'failed' });
    expect(byDelivery.get('m-3')?.payload).toBeUndefined();
  });

  it('fails the attempts of a batch JetStream did not store, so their jobs come again', async () => {
    const { publisher } = recordingPublisher(['outcome-batches.']);
    const outcomes = new OutcomePublisher(publisher);
    await expect(outcomes.publish(job(1), 1, { kind: 'success', latencyMs: 1 })).rejects.toThrow('no JetStream');
  });
});
