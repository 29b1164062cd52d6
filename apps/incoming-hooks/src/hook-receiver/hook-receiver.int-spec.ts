import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { STREAMS, SUBJECTS, type PipelineRunEvent } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { hmacHex, IncomingHooksHarness, octokitSign, PULL_REQUEST_EVENT, SEED_HOOK } from '../../test/harness';

describe('incoming hook URLs', () => {
  let h: IncomingHooksHarness;
  let key: string;
  let pipelineId: string;

  beforeAll(async () => {
    h = await IncomingHooksHarness.start({
      // change-ingest is not started here, so every run's change waits in the outbox (and warns).
      LOG_LEVEL: 'error',
      HOOK_BODY_LIMIT: '16kb',
      HOOK_RATE_LIMIT_PER_MINUTE: '1000',
    });
    key = await h.createKey(31);
    pipelineId = (await h.api('POST', '/pipelines', key, { name: 'shop' })).body.id;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const createHook = async (body: object = SEED_HOOK) => {
    const reply = await h.api('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, body);
    expect(reply.status).toBe(201);
    return reply.body as { id: string; url: string; secret: string };
  };
  const runsOf = async (hookId: string) =>
    (await h.api('GET', `/pipelines/${pipelineId}/runs?hook_id=${hookId}`, key)).body as {
      id: string;
      variables: Record<string, unknown>;
      status: string;
    }[];

  it('runs the pipeline for the seed pull-request payload signed the GitHub way, with its five typed variables', async () => {
    const hook = await createHook();
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const seen: PipelineRunEvent[] = [];
    const sub = h.service.app
      .get(NatsClient)
      .connection.subscribe(SUBJECTS.pipelineRun('31', pipelineId), { callback: (_e, m) => void seen.push(m.json()) });
    const reply = await h.call(hook.url, payload, {
      'x-hub-signature-256': await octokitSign(hook.secret, payload),
      'x-github-event': 'pull_request',
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ run_id: expect.any(String), status: 'queued', duplicate: false });
    const runs = await runsOf(hook.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: reply.body.run_id,
      status: 'queued',
      pipeline_id: pipelineId,
      hook_id: hook.id,
      action_type: 'deploy',
    });
    expect(runs[0]!.variables).toEqual({
      source_type: 'branch',
      source_ref: 'feature/retries',
      pull_request_id: 42,
      pull_request_title: 'Add checkout retries',
      commit_hash: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    });
    const jsm = h.service.app.get(NatsClient).jsm;
    const stored = await jsm.streams.getMessage(STREAMS.PIPELINES.name, {
      last_by_subj: SUBJECTS.pipelineRun('31', pipelineId),
    });
    expect(stored?.json<PipelineRunEvent>()).toMatchObject({
      runId: reply.body.run_id,
      tenant: '31',
      hookId: hook.id,
      status: 'queued',
      variables: runs[0]!.variables,
    });
    sub.unsubscribe();
    expect(seen.map((e) => e.runId)).toEqual([reply.body.run_id]);
  });

  it('answers 401 and runs nothing for a tampered body, a wrong secret, the wrong algorithm or no signature', async () => {
    const hook = await createHook();
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const good = await octokitSign(hook.secret, payload);
    const tampered = payload.replace('Add checkout retries', 'Add checkout retrieS');
    const cases: [string, string, Record<string, string>][] = [
      ['tampered body', tampered, { 'x-hub-signature-256': good }],
      ['wrong secret', payload, { 'x-hub-signature-256': await octokitSign(`${hook.secret}x`, payload) }],
      ['sha1 on a sha256 hook', payload, { 'x-hub-signature-256': `sha1=${hmacHex('sha1', hook.secret, payload)}` }],
      ['sha512 digest on a sha256 hook', payload, { 'x-hub-signature-256': hmacHex('sha512', hook.secret, payload) }],
      [
        'sha256 digest labelled sha512',
        payload,
        { 'x-hub-signature-256': `sha512=${hmacHex('sha256', hook.secret, payload)}` },
      ],
      ['signature in another header', payload, { 'x-hub-signature': good }],
      ['no signature', payload, {}],
      ['empty signature', payload, { 'x-hub-signature-256': '' }],
      ['unsigned non-JSON', 'not json', {}],
    ];
    for (const [what, body, headers] of cases) {
      const reply = await h.call(hook.url, body, headers);
      expect({ what, status: reply.status, error: reply.body.error }).toEqual({
        what,
        status: 401,
        error: 'UNAUTHENTICATED',
      });
    }
    expect(await runsOf(hook.id)).toHaveLength(0);
    // The same request with the right signature passes, so the 401s were about the signature.
    expect((await h.call(hook.url, payload, { 'x-hub-signature-256': good })).status).toBe(202);
  });

  it('accepts bare hex and sha1/sha512 hooks signed by node crypto', async () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
      const hook = await createHook({ ...SEED_HOOK, secret_algorithm: algorithm, secret_header_name: 'X-Signature' });
      const payload = JSON.stringify({ pull_request: { number: '7' } });
      const bare = await h.call(hook.url, payload, { 'x-signature': hmacHex(algorithm, hook.secret, payload) });
      const prefixed = await h.call(hook.url, payload, {
        'x-signature': `${algorithm}=${hmacHex(algorithm, hook.secret, payload).toUpperCase()}`,
      });
      expect([algorithm, bare.status, prefixed.status]).toEqual([algorithm, 202, 202]);
      expect((await runsOf(hook.id)).map((r) => r.variables.pull_request_id)).toEqual([7, 7]);
    }
  });

  it('answers a replayed delivery id with 200 and the first run, starting no second run', async () => {
    const hook = await createHook({ ...SEED_HOOK, delivery_id_header_name: 'X-Custom-Delivery' });
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const sign = { 'x-hub-signature-256': await octokitSign(hook.secret, payload) };
    for (const header of ['x-github-delivery', 'webhook-id', 'x-custom-delivery']) {
      const id = randomUUID();
      const first = await h.call(hook.url, payload, { ...sign, [header]: id });
      const again = await h.call(hook.url, payload, { ...sign, [header]: id });
      expect([header, first.status, again.status]).toEqual([header, 202, 200]);
      expect(again.body).toEqual({ run_id: first.body.run_id, duplicate: true });
    }
    expect(await runsOf(hook.id)).toHaveLength(3);
    // Without a delivery id each call is a new run.
    await h.call(hook.url, payload, sign);
    await h.call(hook.url, payload, sign);
    expect(await runsOf(hook.id)).toHaveLength(5);
  });

  it('stores the run of a delivery id whose first call died between claiming the id and storing its run', async () => {
    const hook = await createHook();
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const sign = { 'x-hub-signature-256': await octokitSign(hook.secret, payload) };
    // What a kill -9 between the two writes leaves: the delivery id claimed for a run never stored.
    const deliveryId = randomUUID();
    const claimedRun = randomUUID();
    const db = h.service.app.get<Connection>(getConnectionToken());
    await db
      .collection<{ _id: string; runId: string; expiresAt: Date }>('hook_deliveries')
      .insertOne({ _id: `${hook.id}:${deliveryId}`, runId: claimedRun, expiresAt: new Date(Date.now() + 3_600_000) });

    // The sender got no answer and sends again: the run is stored now, under the claimed id, once.
    const again = await h.call(hook.url, payload, { ...sign, 'x-github-delivery': deliveryId });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ run_id: claimedRun, duplicate: false });
    const third = await h.call(hook.url, payload, { ...sign, 'x-github-delivery': deliveryId });
    expect(third.status).toBe(200);
    expect(third.body).toEqual({ run_id: claimedRun, duplicate: true });
    expect((await runsOf(hook.id)).map((r) => r.id)).toEqual([claimedRun]);
  });

  it('keeps the replaced secret valid for the grace period after a rotation, and only then', async () => {
    const hook = await createHook();
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const rotated = await h.api('POST', `/pipelines/${pipelineId}/hooks/${hook.id}/secret/rotate`, key, {
      grace_period_seconds: 2,
    });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).not.toBe(hook.secret);
    expect(rotated.body.url).toBe(hook.url);
    expect(Date.parse(rotated.body.previous_secret_expires_at)).toBeGreaterThan(Date.now());
    expect(
      (await h.call(hook.url, payload, { 'x-hub-signature-256': await octokitSign(secret, payload) })).status,
    ).toBe(202);
    expect(
      (await h.call(hook.url, payload, { 'x-hub-signature-256': await octokitSign(hook.secret, payload) })).status,
    ).toBe(202);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(
      (await h.call(hook.url, payload, { 'x-hub-signature-256': await octokitSign(hook.secret, payload) })).status,
    ).toBe(401);
    expect(
      (await h.call(hook.url, payload, { 'x-hub-signature-256': await octokitSign(secret, payload) })).status,
    ).toBe(202);
    expect(await runsOf(hook.id)).toHaveLength(3);
  });

  it('answers 404 for unknown, disabled and deleted hooks, 413 over the limit, 400 for non-JSON', async () => {
    const hook = await createHook({ ...SEED_HOOK, requires_secret: false });
    expect((await h.call(hook.url, '{}')).status).toBe(202);
    expect((await h.call(`${hook.url}x`, '{}')).status).toBe(404);
    expect((await h.call(hook.url, JSON.stringify({ big: 'x'.repeat(20_000) }))).status).toBe(413);
    const bad = await h.call(hook.url, '{"pull_request": ');
    expect([bad.status, bad.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect(
      (await h.api('PATCH', `/pipelines/${pipelineId}/hooks/${hook.id}`, key, { disabled: true })).body.disabled,
    ).toBe(true);
    expect((await h.call(hook.url, '{}')).status).toBe(404);
    await h.api('PATCH', `/pipelines/${pipelineId}/hooks/${hook.id}`, key, { disabled: false });
    expect((await h.call(hook.url, '{}')).status).toBe(202);
    expect((await h.api('DELETE', `/pipelines/${pipelineId}/hooks/${hook.id}`, key)).status).toBe(204);
    expect((await h.call(hook.url, '{}')).status).toBe(404);
  });

  it('answers 422 naming each variable that is missing or cannot be converted', async () => {
    const hook = await createHook({
      name: 'typed',
      requires_secret: false,
      action_type: 'deploy',
      settings: {
        variables: [
          { name: 'ref', path: 'ref', type: 'string', required: true },
          { name: 'count', path: 'items[1].count', type: 'integer', required: false },
          { name: 'ratio', path: 'ratio', type: 'number' },
          { name: 'dry_run', path: 'flags.dry', type: 'boolean', default_value: 'false' },
        ],
      },
    });
    const bad = await h.call(hook.url, JSON.stringify({ items: [{}, { count: 'many' }], ratio: 'half' }));
    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['ref', 'count', 'ratio']);
    const good = await h.call(
      hook.url,
      JSON.stringify({ ref: 'v1', items: [{}, { count: '3' }], ratio: 0.5, flags: { dry: 'TRUE' } }),
    );
    expect(good.status).toBe(202);
    expect((await runsOf(hook.id)).map((r) => r.variables)).toEqual([
      { ref: 'v1', count: 3, ratio: 0.5, dry_run: true },
    ]);
  });

  it('limits calls per hook with 429 and Retry-After, without touching other hooks', async () => {
    const limited = await createHook({ ...SEED_HOOK, requires_secret: false, rate_limit_per_minute: 2 });
    const other = await createHook({ ...SEED_HOOK, requires_secret: false });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const reply = await h.call(limited.url, '{}');
      statuses.push(reply.status);
      retryAfter ??= reply.headers.get('retry-after');
    }
    // Two calls may straddle a minute boundary; then the third lands in a fresh window.
    if (statuses[2] === 202) return expect(statuses).toEqual([202, 202, 202]);
    expect(statuses).toEqual([202, 202, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect((await h.call(other.url, '{}')).status).toBe(202);
  });
});
