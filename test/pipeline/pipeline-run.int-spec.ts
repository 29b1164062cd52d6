/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field with expect */
import { createHmac, randomUUID } from 'node:crypto';
import { SUBJECTS, type AttributeValue, type PipelineRunStateReply } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';
import { Receiver, startApp, type RunningApp } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../apps/change-ingest/src/change-ingest.app';
import { DISPATCHER_APP } from '../../apps/dispatcher/src/dispatcher.app';
import { INCOMING_HOOKS_APP } from '../../apps/incoming-hooks/src/incoming-hooks.app';
import {
  changesOf,
  octokitSign,
  PULL_REQUEST_EVENT,
  SEED_HOOK,
  statusOf,
} from '../../apps/incoming-hooks/test/harness';
import { MATCHER_APP } from '../../apps/matcher/src/matcher.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness, waitFor } from '../../apps/registry/test/registry-harness';

/** Devopness: an incoming hook runs a pipeline, and an outgoing webhook fires when the run is done. */
describe('incoming hook → pipeline run → run states → outgoing webhook delivery', () => {
  let h: RegistryHarness;
  let dispatcher: RunningApp;
  let ingest: RunningApp;
  let matcher: RunningApp;
  let hooks: RunningApp;
  /** A pipeline runner's own NATS connection. */
  let runner: NatsClient;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
    h = await RegistryHarness.start();
    const env = { NATS_URL: h.infra.natsUrl, MONGO_URL: h.infra.mongoUrl };
    dispatcher = await startApp(DISPATCHER_APP, {
      ...env,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    });
    ingest = await startApp(CHANGE_INGEST_APP, env);
    matcher = await startApp(MATCHER_APP, { ...env, HOOKLINE_ADMIN_KEY: ADMIN_KEY });
    hooks = await startApp(INCOMING_HOOKS_APP, { ...env, HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY });
    runner = await NatsClient.connect(h.infra.natsUrl, 'test-runner');
  });

  afterAll(async () => {
    await runner?.close();
    await hooks?.close();
    await matcher?.close();
    await ingest?.close();
    await dispatcher?.close();
    await h?.stop();
    await receiver?.stop();
  });

  /** A call to incoming-hooks' Devopness API as the seed's curl makes it. */
  async function devopness(method: string, route: string, key: string, body?: unknown) {
    const response = await fetch(`${hooks.baseUrl}${route}`, {
      method,
      headers: { accept: 'application/json', authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('delivers one signed webhook for the succeeded run and none for running', async () => {
    const key = await h.createKey(300);
    const runnerKey = await h.createKey(300, ['integration']);

    const pipeline = await devopness('POST', '/pipelines', key, { name: 'Deploy shop' });
    expect(pipeline.status).toBe(201);
    const pipelineId = pipeline.body.id as string;
    const hook = await devopness('POST', `/pipelines/${pipelineId}/hooks/incoming`, key, SEED_HOOK);
    expect(hook.status).toBe(201);
    const { id: hookId, url, secret } = hook.body as { id: string; url: string; secret: string };

    const webhook = await h.request('POST', '/api/v2/webhook', {
      key,
      body: {
        AppName: 'Deploy notifier',
        AppUrl: 'www.example.com',
        Name: 'deployment done',
        TargetUrl: receiver.url('/deployed'),
        ObjectTypes: ['PipelineRun'],
        Expressions: [{ AttributeName: 'Status', Operator: '=', Value: 'succeeded' }],
      },
    });
    expect(webhook.status).toBe(200);
    const webhookId = webhook.body.ObjectUUID as string;
    const signingSecret = webhook.body.SigningSecret as string;
    await waitFor(async () => {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      return ((await res.json()) as { total: number }).total === 1;
    });

    // GitHub calls the hook URL with a pull_request event, signed by octokit's implementation.
    const payload = JSON.stringify(PULL_REQUEST_EVENT);
    const call = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': await octokitSign(secret, payload),
        'x-github-delivery': randomUUID(),
      },
      body: payload,
    });
    expect(call.status).toBe(202);
    const runId = ((await call.json()) as { run_id: string }).run_id;

    // The runner reports running over HTTP and succeeded over NATS: both paths lead to change-ingest.
    const running = await devopness('POST', `/pipelines/${pipelineId}/runs/${runId}/state`, runnerKey, {
      status: 'running',
    });
    expect(running).toMatchObject({ status: 200, body: { status: 'running' } });
    const succeeded = (
      await runner.connection.request(
        SUBJECTS.runState('300'),
        JSON.stringify({ pipelineId, runId, status: 'succeeded', message: 'deployed in 42 s' }),
        { timeout: 5_000 },
      )
    ).json<PipelineRunStateReply>();
    expect(succeeded).toEqual({ result: 'changed', runId, pipelineId, status: 'succeeded' });

    const stats = await waitFor(async () => {
      const found = (await h.request('GET', `/api/v2/webhook/${webhookId}`, { key })).body;
      return found.FireCount === 1 && found.LastStatus === 200 && found;
    }, 20_000);
    expect(stats).toMatchObject({ FireCount: 1, ErrorCount: 0, LastStatus: 200 });
    // All three states reached CHANGES, so `running` went through the matcher too and was filtered out.
    expect((await changesOf(h.nats, runId)).map(statusOf)).toEqual(['queued', 'running', 'succeeded']);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.requests).toHaveLength(1);

    const [delivery] = receiver.requests;
    const body = JSON.parse(delivery.body);
    expect(body.rule).toMatchObject({ ObjectUUID: webhookId, Name: 'deployment done' });
    expect(body.message).toMatchObject({
      action: 'Updated',
      object_type: 'PipelineRun',
      object_id: runId,
      subscription_id: 300,
    });
    expect(body.message).not.toHaveProperty('tenant');
    const state = Object.fromEntries(
      Object.values(body.message.state as Record<string, AttributeValue>).map((a) => [a.name, a.value]),
    );
    expect(state).toMatchObject({
      Status: 'succeeded',
      Pipeline: pipelineId,
      Hook: hookId,
      ActionType: 'deploy',
      Message: 'deployed in 42 s',
      Variables: {
        source_type: 'branch',
        source_ref: 'feature/retries',
        pull_request_id: 42,
        pull_request_title: 'Add checkout retries',
        commit_hash: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      },
    });
    const statusChange = Object.values(body.message.changes as Record<string, any>).find((c) => c.name === 'Status');
    expect(statusChange).toMatchObject({ value: 'succeeded', old_value: 'running' });

    // Standard Webhooks headers, the signature checked with node's crypto rather than the dispatcher's code.
    const id = delivery.headers['webhook-id'] as string;
    const timestamp = delivery.headers['webhook-timestamp'] as string;
    expect(id).toEqual(expect.any(String));
    const expected = createHmac('sha256', Buffer.from(signingSecret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${timestamp}.${delivery.body}`)
      .digest('base64');
    expect(String(delivery.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
  });
});
