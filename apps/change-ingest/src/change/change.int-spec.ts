import { randomBytes } from 'node:crypto';
import { STREAMS, SUBJECTS, type ChangeMessage } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { startApp, startTestInfra, type RunningApp, type TestInfra } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../change-ingest.app';
import { REGISTRY_APP } from '../../../registry/src/registry.app';

const ADMIN_KEY = `hk_test_${randomBytes(12).toString('hex')}`;

describe('change-ingest over HTTP and NATS', () => {
  let infra: TestInfra;
  let registry: RunningApp;
  let ingest: RunningApp;
  let key: string;

  beforeAll(async () => {
    infra = await startTestInfra();
    const env = { NATS_URL: infra.natsUrl, MONGO_URL: infra.mongoUrl };
    // The registry owns API keys; ingest authenticates producers with the same keys.
    registry = await startApp(REGISTRY_APP, {
      ...env,
      HOOKLINE_ADMIN_KEY: ADMIN_KEY,
      HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    const reply = await fetch(`${registry.baseUrl}/api/v2/apikey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Name: 'producer', Roles: ['integration'], SubscriptionID: 7 }),
    });
    key = ((await reply.json()) as { Key: string }).Key;
    ingest = await startApp(CHANGE_INGEST_APP, { ...env, INGEST_MAX_BATCH: '3' });
  });

  afterAll(async () => {
    await ingest?.close();
    await registry?.close();
    await infra?.stop();
  });

  const post = (body: string, auth: Record<string, string> = { authorization: `Bearer ${key}` }) =>
    fetch(`${ingest.baseUrl}/api/v2/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
    });

  const stored = async (): Promise<ChangeMessage[]> => {
    const jsm = ingest.app.get(NatsClient).jsm;
    const info = await jsm.streams.info(STREAMS.CHANGES.name);
    const out: ChangeMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      out.push((await jsm.streams.getMessage(STREAMS.CHANGES.name, { seq })).json<ChangeMessage>());
    }
    return out;
  };

  it('refuses without a valid key, and says nothing more', async () => {
    const res = await post('{}', { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(await post('{}', {}).then((r) => r.status)).toBe(401);
  });

  it('accepts a batch with 202 and the ids, publishing once per message id even when re-sent', async () => {
    const batch = [
      { message_id: 'a-1', action: 'Created', object_type: 'Defect', object_id: 'd-1', after: { Name: 'x' } },
      { message_id: 'a-2', action: 'Deleted', object_type: 'Defect', object_id: 'd-2', before: { Name: 'y' } },
    ];
    const first = await post(JSON.stringify(batch));
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: 2, message_ids: ['a-1', 'a-2'], duplicates: [] });
    const again = await post(JSON.stringify(batch[0]), { cookie: `ZSESSIONID=${key}` });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ message_ids: ['a-1'], duplicates: ['a-1'] });

    const messages = await stored();
    expect(messages.map((m) => m.message_id)).toEqual(['a-1', 'a-2']);
    expect(messages[0]).toMatchObject({ tenant: '7', subscription_id: 7, action: 'Created' });
  });

  it('publishes on a subject that carries tenant, object type and action', async () => {
    const seen: string[] = [];
    const sub = ingest.app
      .get(NatsClient)
      .connection.subscribe('changes.>', { callback: (_e, m) => seen.push(m.subject) });
    await post(
      JSON.stringify({
        message_id: 'b-1',
        action: 'Updated',
        object_type: 'PortfolioItem/Feature',
        object_id: 'f',
        before: {},
        after: { Name: 'n' },
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    sub.unsubscribe();
    expect(seen).toEqual([SUBJECTS.change('7', 'PortfolioItem/Feature', 'Updated')]);
  });

  it('names each problem with 400 and stores nothing of an invalid batch', async () => {
    const before = (await stored()).length;
    const res = await post(
      JSON.stringify([
        { message_id: 'c-1', action: 'Created', object_type: 'Defect', object_id: 'd', after: {} },
        { action: 'Exploded' },
      ]),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; details: { field: string }[] };
    expect(body.error).toBe('VALIDATION_FAILED');
    expect(body.details.map((d) => d.field)).toEqual(
      expect.arrayContaining(['[1].action', '[1].object_id', '[1].object_type']),
    );
    expect((await stored()).length).toBe(before);
  });

  it('refuses a batch over the limit with 400 and a body over the size limit with 413', async () => {
    const item = { action: 'Created', object_type: 'Defect', object_id: 'd', after: {} };
    const tooMany = await post(JSON.stringify([item, item, item, item]));
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(await tooMany.json())).toContain('at most 3');
    const huge = await post(JSON.stringify({ ...item, after: { Description: 'x'.repeat(6 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(await post('{not json').then((r) => r.status)).toBe(400);
  });

  it('takes changes from internal producers over NATS and replies once they are stored', async () => {
    const nc = ingest.app.get(NatsClient).connection;
    const reply = await nc.request(
      SUBJECTS.ingest('7'),
      JSON.stringify({
        message_id: 'n-1',
        action: 'Created',
        object_type: 'Defect',
        object_id: 'd-9',
        after: { Name: 'z' },
      }),
      { timeout: 5000 },
    );
    expect(reply.json()).toMatchObject({ accepted: 1, message_ids: ['n-1'] });
    expect((await stored()).some((m) => m.message_id === 'n-1')).toBe(true);
    const bad = await nc.request(SUBJECTS.ingest('7'), JSON.stringify({ action: 'Nope' }), { timeout: 5000 });
    expect(bad.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });
});
