import { randomUUID } from 'node:crypto';
import { AckPolicy } from '@nats-io/jetstream';
import { STREAMS, type NewDeliveryJob } from '@hookline/contracts';
import { changeMessage, readDeliveryJob, startApp, type RunningApp } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../apps/change-ingest/src/change-ingest.app';
import { MATCHER_APP } from '../../apps/matcher/src/matcher.app';
import { ADMIN_KEY, RegistryHarness, waitFor } from '../../apps/registry/test/registry-harness';

const WORKSPACE = '31685839-67fe-4f9d-9470-da56c222998b';
const PROJECT = '749a8fd7-dfa9-897b-bec7-d86e01aa8b3a';

describe('registry → change-ingest → matcher: exactly the right delivery jobs', () => {
  let h: RegistryHarness;
  let ingest: RunningApp;
  let matcher: RunningApp;
  let key: string;
  let env: Record<string, string>;
  let seenJobs = 0;

  const startMatcher = () => startApp(MATCHER_APP, { ...env, HOOKLINE_ADMIN_KEY: ADMIN_KEY });

  beforeAll(async () => {
    h = await RegistryHarness.start();
    env = { NATS_URL: h.infra.natsUrl, MONGO_URL: h.infra.mongoUrl };
    key = await h.createKey(100);
    ingest = await startApp(CHANGE_INGEST_APP, env);
    matcher = await startMatcher();
    await h.nats.jsm.consumers.add(STREAMS.DELIVERIES.name, {
      durable_name: 'test-reader',
      ack_policy: AckPolicy.Explicit,
    });
  });

  afterAll(async () => {
    await matcher?.close();
    await ingest?.close();
    await h?.stop();
  });

  async function createWebhook(body: Record<string, unknown>): Promise<string> {
    const reply = await h.request('POST', '/api/v2/webhook', {
      key,
      body: { AppName: 'App', AppUrl: 'www.example.com', TargetUrl: 'https://receiver.example.com/hook', ...body },
    });
    expect(reply.status).toBe(200);
    return reply.body.ObjectUUID as string;
  }

  async function send(changes: unknown): Promise<string[]> {
    const response = await fetch(`${ingest.baseUrl}/api/v2/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `ZSESSIONID=${key}` },
      body: JSON.stringify(changes),
    });
    const body = (await response.json()) as { message_ids: string[] };
    expect(response.status).toBe(202);
    return body.message_ids;
  }

  /** Every job in DELIVERIES since the last call (the stream is read, so deduped publishes do not count). */
  async function newJobs(settleMs = 700): Promise<NewDeliveryJob[]> {
    await new Promise((r) => setTimeout(r, settleMs));
    const info = await h.nats.jsm.streams.info(STREAMS.DELIVERIES.name);
    const jobs: NewDeliveryJob[] = [];
    for (let seq = seenJobs + 1; seq <= info.state.last_seq; seq++) {
      const message = await h.nats.jsm.streams.getMessage(STREAMS.DELIVERIES.name, { seq });
      if (!message) throw new Error(`DELIVERIES has no message ${seq}`);
      jobs.push(readDeliveryJob(message.data));
    }
    seenJobs = info.state.last_seq;
    return jobs;
  }

  const story = (id: string, planEstimate: number, messageId = randomUUID()) => ({
    message_id: messageId,
    action: 'Updated',
    object_type: 'HierarchicalRequirement',
    object_id: id,
    before: { Name: 'Story', PlanEstimate: 3, Workspace: { id: WORKSPACE, name: 'WS' } },
    after: { Name: 'Story', PlanEstimate: planEstimate, Workspace: { id: WORKSPACE, name: 'WS' } },
    user: 'some.user@example.com',
  });
  const feature = (id: string) => ({
    action: 'Created',
    object_type: 'PortfolioItem/Feature',
    object_id: id,
    after: { Name: 'Feature', Project: { id: PROJECT, name: 'My Project' } },
  });

  let storyHook: string;
  let featureHook: string;

  it('fires the seed examples and nothing else', async () => {
    storyHook = await createWebhook({
      Name: 'Big stories in the workspace',
      ObjectTypes: ['HierarchicalRequirement', 'Defect'],
      Expressions: [
        { AttributeName: 'PlanEstimate', Operator: '>', Value: 10 },
        { AttributeName: 'Workspace', Operator: '=', Value: WORKSPACE },
      ],
    });
    featureHook = await createWebhook({
      Name: 'Features of my project',
      ObjectTypes: ['Feature'],
      Expressions: [{ AttributeName: 'Project', Operator: '=', Value: PROJECT }],
    });
    await waitFor(async () => (await fetch(`${matcher.baseUrl}/health/ready`)).status === 200);
    await waitFor(async () => {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      return ((await res.json()) as { total: number }).total === 2;
    });

    const [big] = await send(story('s-1', 13));
    const [small] = await send(story('s-2', 5));
    const [feat] = await send(feature('f-1'));
    const jobs = await newJobs();

    expect(jobs.map((j) => [j.webhookId, j.messageId]).sort()).toEqual(
      [
        [storyHook, big],
        [featureHook, feat],
      ].sort(),
    );
    expect(jobs.some((j) => j.messageId === small)).toBe(false);
    const job = jobs.find((j) => j.webhookId === storyHook)!;
    const payload = job.payload as { rule: Record<string, unknown>; message: Record<string, unknown> };
    expect(payload.rule).toMatchObject({
      ObjectUUID: storyHook,
      Name: 'Big stories in the workspace',
      _type: 'webhook',
    });
    expect(payload.message).toMatchObject({
      message_id: big,
      action: 'Updated',
      object_type: 'HierarchicalRequirement',
      subscription_id: 100,
    });
    expect(payload.message).not.toHaveProperty('tenant');
    const changes = Object.values(
      payload.message.changes as Record<string, { name: string; value: unknown; old_value: unknown }>,
    );
    expect(changes).toEqual([expect.objectContaining({ name: 'PlanEstimate', value: 13, old_value: 3 })]);
    expect(job.spec).toMatchObject({ TargetUrl: 'https://receiver.example.com/hook', CommunicationMethod: 'http' });
    expect(job.spec.SigningSecret).toMatch(/^v1:/);
  });

  it('turns a re-sent change into no second job', async () => {
    const messageId = randomUUID();
    await send(story('s-3', 20, messageId));
    await send(story('s-3', 20, messageId));
    const jobs = await newJobs();
    expect(jobs.map((j) => j.messageId)).toEqual([messageId]);
  });

  it('follows disable, edit and delete within a second', async () => {
    expect((await h.request('PATCH', `/api/v2/webhook/${featureHook}`, { key, body: { Disabled: true } })).status).toBe(
      200,
    );
    expect(
      (
        await h.request('PATCH', `/api/v2/webhook/${storyHook}`, {
          key,
          body: { Expressions: [{ AttributeName: 'PlanEstimate', Operator: '>', Value: 100 }] },
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    await send(feature('f-2'));
    await send(story('s-4', 20));
    const [huge] = await send(story('s-5', 200));
    expect((await newJobs()).map((j) => [j.webhookId, j.messageId])).toEqual([[storyHook, huge]]);

    expect((await h.request('DELETE', `/api/v2/webhook/${storyHook}`, { key })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1000));
    await send(story('s-6', 300));
    expect(await newJobs()).toEqual([]);
  });

  it('rebuilds the same index after a matcher restart', async () => {
    expect(
      (await h.request('PATCH', `/api/v2/webhook/${featureHook}`, { key, body: { Disabled: false } })).status,
    ).toBe(200);
    await matcher.close();
    const [whileDown] = await send(feature('f-3'));
    matcher = await startMatcher();
    const [afterRestart] = await send(feature('f-4'));
    const jobs = await newJobs(1500);
    expect(jobs.map((j) => [j.webhookId, j.messageId]).sort()).toEqual(
      [
        [featureHook, whileDown],
        [featureHook, afterRestart],
      ].sort(),
    );
  });

  it('explains in a dry run which clause kept a webhook silent', async () => {
    const response = await fetch(`${matcher.baseUrl}/api/v2/match`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify(
        changeMessage({ message_id: 'dry-1', object_id: 'f-9', object_type: 'PortfolioItem/Feature' }),
      ),
    });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as {
      results: { webhookId: string; fires: boolean; failed?: { clause: string } }[];
    };
    expect(results).toEqual([
      expect.objectContaining({
        webhookId: featureHook,
        fires: false,
        failed: expect.objectContaining({ clause: 'Expressions[0]' }),
      }),
    ]);
  });

  it("lets any tenant's key dry-run its own webhooks only; the bootstrap key names the tenant", async () => {
    const otherAdmin = await h.createKey(200);
    const created = await h.request('POST', '/api/v2/webhook', {
      key: otherAdmin,
      body: {
        Name: 'Defects of tenant 200',
        AppName: 'App',
        AppUrl: 'www.example.com',
        TargetUrl: 'https://receiver.example.com/hook',
        ObjectTypes: ['Defect'],
        Expressions: [{ AttributeName: 'Priority', Operator: '=', Value: 'High' }],
      },
    });
    expect(created.status).toBe(200);
    const otherHook = created.body.ObjectUUID as string;
    await waitFor(async () => {
      const res = await fetch(`${matcher.baseUrl}/api/v2/index`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      return ((await res.json()) as { tenants: Record<string, { webhooks: number }> }).tenants['200']?.webhooks === 1;
    });

    const dryRun = async (credential: string | undefined, tenant: string) => {
      const response = await fetch(`${matcher.baseUrl}/api/v2/match`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(credential !== undefined && { authorization: `Bearer ${credential}` }),
        },
        body: JSON.stringify(
          changeMessage({
            message_id: `dry-${tenant}`,
            tenant,
            object_id: 'f-10',
            object_type: 'PortfolioItem/Feature',
          }),
        ),
      });
      return {
        status: response.status,
        ids: response.status === 200 ? ((await response.json()) as { results: DryRunResult[] }).results : [],
      };
    };
    type DryRunResult = { webhookId: string; fires: boolean; failed?: { clause: string; reason: string } };
    const mine = (results: DryRunResult[]) => results.map((r) => r.webhookId).sort();

    const ownOf100 = mine((await dryRun(ADMIN_KEY, '100')).ids);
    expect(ownOf100).not.toContain(otherHook);
    // A tenant's read-only key: its own webhooks, even when it names another tenant.
    const readOnly100 = await h.createKey(100, ['read-only']);
    expect(mine((await dryRun(readOnly100, '100')).ids)).toEqual(ownOf100);
    expect(mine((await dryRun(readOnly100, '200')).ids)).toEqual(ownOf100);
    // Tenant 200's key sees only its webhook, with the clause that failed.
    for (const named of ['200', '100']) {
      const { status, ids } = await dryRun(otherAdmin, named);
      expect(status).toBe(200);
      expect(ids).toEqual([
        {
          webhookId: otherHook,
          name: 'Defects of tenant 200',
          fires: false,
          failed: { clause: 'ObjectTypes', reason: expect.any(String) },
        },
      ]);
    }
    // The operator's bootstrap key tries the tenant it names.
    expect(mine((await dryRun(ADMIN_KEY, '200')).ids)).toEqual([otherHook]);
    expect((await dryRun(undefined, '100')).status).toBe(401);
    expect((await dryRun('not-a-key', '100')).status).toBe(401);
  });
});
