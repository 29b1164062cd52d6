import { ChangeMessage, DeliveryJob, DeliverySpec, opaqueFieldsOf } from '@hookline/contracts';
import { validateSync } from 'class-validator';
import { Slots, toInstance } from './consumer-runner';

const job = () => ({
  deliveryId: 'msg_1',
  tenant: '100',
  webhookId: 'w1',
  messageId: 'm1',
  spec: {
    TargetUrl: 'https://receiver.example/hook',
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: {},
    Authentication: null,
    SigningSecret: 'v1:a:b:c',
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
  },
  body: new TextEncoder().encode('{"rule":{"Name":"hook"}}'),
  createdAt: '2026-11-24T10:00:00.000Z',
});

describe('toInstance (consumer payloads)', () => {
  const opaque = opaqueFieldsOf(DeliveryJob);

  it('knows the @Opaque fields of a contract', () => {
    expect(opaque).toEqual(['body']);
    expect([...opaqueFieldsOf(ChangeMessage)].sort()).toEqual(['changes', 'project', 'state', 'transaction']);
    expect(opaqueFieldsOf(DeliverySpec)).toEqual([]);
  });

  it('keeps an opaque field as parsed and still builds nested classes', () => {
    const raw = job();
    const instance = toInstance(DeliveryJob, raw, opaque) as DeliveryJob;
    expect(instance).toBeInstanceOf(DeliveryJob);
    expect(instance.body).toBe(raw.body);
    expect(instance.spec).toBeInstanceOf(DeliverySpec);
    expect(instance.deliveryId).toBe('msg_1');
    expect(validateSync(instance)).toEqual([]);
    // The parsed message itself is left as it was.
    expect(Object.keys(raw)).toContain('body');
  });

  it('still validates an opaque field', () => {
    const missing = job() as Partial<ReturnType<typeof job>>;
    delete missing.body;
    expect(validateSync(toInstance(DeliveryJob, missing, opaque)).map((e) => e.property)).toEqual(['body']);
    const notBytes = { ...job(), body: '{}' };
    expect(validateSync(toInstance(DeliveryJob, notBytes, opaque)).map((e) => e.property)).toEqual(['body']);
  });

  it('gives a non-object message to class-transformer as it is', () => {
    expect(validateSync(toInstance(DeliveryJob, [job()], opaque) as object).length).toBeGreaterThan(0);
  });
});

describe('Slots', () => {
  it('tells the pull loop when enough handlers are free, and how many to pull', async () => {
    const slots = new Slots(4);
    for (let i = 0; i < 4; i++) slots.take();
    let woke = false;
    const enough = slots.whenFree(2).then(() => (woke = true));

    slots.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);

    slots.release();
    await enough;
    expect(slots.available).toBe(2);
  });
});
