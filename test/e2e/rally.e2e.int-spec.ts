/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { waitFor } from '@hookline/testing';
import { E2eStack, type Tenant } from './e2e-stack';

const WORKSPACE = '31685839-67fe-4f9d-9470-da56c222998b';

/** Rally's webhooks API as its users drive it: the seed's JSON, the {rule, message} payload, paging, 410. */
describe('seed: Rally webhooks on the whole stack', () => {
  let e2e: E2eStack;
  let acme: Tenant;

  beforeAll(async () => {
    e2e = await E2eStack.start();
    acme = await e2e.tenant(209);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  const pigeon = '/apps/pigeon/api/v2';
  const story = (id: string, planEstimate: number) => ({
    action: 'Updated',
    object_type: 'HierarchicalRequirement',
    object_id: id,
    ref: `https://rally.example.com/slm/webservice/v2.x/hierarchicalrequirement/${id}`,
    project: { uuid: '749a8fd7-dfa9-897b-bec7-d86e01aa8b3a', name: 'My Project' },
    user: { username: 'some.user@example.com', email: 'some.user@example.com' },
    before: { Name: 'Login page', PlanEstimate: 3, Workspace: { id: WORKSPACE, name: 'WS' } },
    after: { Name: 'Login page', PlanEstimate: planEstimate, Workspace: { id: WORKSPACE, name: 'WS' } },
  });

  it('creates the seed webhook, fires on a matching change only and sends {rule, message}', async () => {
    // The seed's create body, with only the TargetUrl pointed at our receiver.
    const created = await acme.registry.request('POST', `${pigeon}/webhook`, {
      AppName: 'My Cool App',
      AppUrl: 'www.example.com',
      Name: 'My first webhook',
      TargetUrl: e2e.receiver.url('/rally'),
      ObjectTypes: ['HierarchicalRequirement', 'Defect'],
      Expressions: [
        { AttributeName: 'PlanEstimate', Operator: '>', Value: 10 },
        { AttributeName: 'Workspace', Operator: '=', Value: WORKSPACE },
      ],
    });
    expect(created.status).toBe(200);
    const rule = created.body;
    expect(rule).toMatchObject({ _type: 'webhook', Name: 'My first webhook', Disabled: false, SubscriptionID: 209 });
    await e2e.indexed(1);

    const accepted = await acme.ingest.request('POST', '/api/v2/changes', [story('s-1', 5), story('s-2', 13)]);
    expect(accepted.status).toBe(202);
    const [, matchingId] = accepted.body.message_ids as string[];

    const [delivery] = await waitFor(() => e2e.receiver.at('/rally').length > 0 && e2e.receiver.at('/rally'), 20_000);
    const payload = JSON.parse(delivery.body);
    expect(Object.keys(payload).sort()).toEqual(['message', 'rule']);
    expect(payload.rule).toMatchObject({
      ObjectUUID: rule.ObjectUUID,
      Name: 'My first webhook',
      TargetUrl: e2e.receiver.url('/rally'),
      ObjectTypes: ['HierarchicalRequirement', 'Defect'],
      // "in the same format as is returned by the webhooks HTTP API": its absolute _ref too.
      _ref: rule._ref,
    });
    expect(rule._ref).toBe(`${e2e.stack.publicUrl}${pigeon}/webhook/${rule.ObjectUUID}`);
    expect(payload.message).toMatchObject({
      message_id: matchingId,
      subscription_id: 209,
      action: 'Updated',
      object_id: 's-2',
      object_type: 'HierarchicalRequirement',
      project: { uuid: '749a8fd7-dfa9-897b-bec7-d86e01aa8b3a', name: 'My Project' },
      transaction: { user: { username: 'some.user@example.com' } },
    });
    expect(typeof payload.message.transaction.timestamp).toBe('number');
    // `changes` and `state` are keyed by attribute UUID and carry the attribute's name.
    // "For all attribute types other than Collection, the old_value field will be populated, and
    // the added and removed fields will be null."
    const changed = Object.values(payload.message.changes) as any[];
    expect(changed).toEqual([
      {
        value: 13,
        old_value: 3,
        added: null,
        removed: null,
        type: 'Integer',
        name: 'PlanEstimate',
        display_name: 'PlanEstimate',
        ref: null,
      },
    ]);
    const state = Object.values(payload.message.state) as any[];
    expect(state.map((a) => a.name).sort()).toEqual(['Name', 'PlanEstimate', 'Workspace']);
    // Standard Webhooks headers identify and sign the delivery.
    expect(delivery.headers['webhook-id']).toBeTruthy();
    expect(delivery.headers['webhook-signature']).toMatch(/^v1,/);

    // The non-matching change (PlanEstimate 5) never arrives; the stats count the one delivery.
    const fired = await waitFor(async () => {
      const body = (await acme.registry.request('GET', `${pigeon}/webhook/${rule.ObjectUUID}`)).body;
      return body.FireCount === 1 && body;
    }, 10_000);
    expect(fired).toMatchObject({ LastStatus: 200, ErrorCount: 0 });
    expect(e2e.receiver.at('/rally')).toHaveLength(1);
  });

  it('takes back a webhook a script read, unchanged, and names a read-only field it changed', async () => {
    const created = await acme.registry.request('POST', `${pigeon}/webhook`, {
      AppName: 'Sync script',
      AppUrl: 'www.example.com',
      Name: 'read and written back',
      TargetUrl: 'https://receiver.example.com/hook',
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
    });
    const ref = new URL(created.body._ref).pathname;
    const read = (await acme.registry.request('GET', ref)).body;
    const written = await acme.registry.request('PATCH', ref, { ...read, Disabled: true });
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ Disabled: true, Name: 'read and written back', Dialect: 'rally' });
    const refused = await acme.registry.request('PATCH', ref, {
      ...written.body,
      CreationDate: new Date(0).toISOString(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'CreationDate' }] });
  });

  it('pages with pagesize, start and order as the seed shows', async () => {
    const other = await e2e.tenant(210);
    for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo']) {
      const reply = await other.registry.request('POST', `${pigeon}/webhook`, {
        AppName: 'Pager',
        AppUrl: 'www.example.com',
        Name: name,
        TargetUrl: 'https://receiver.example.com/hook',
        ObjectTypes: ['Defect'],
        Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
      });
      expect(reply.status).toBe(200);
    }
    const page = await other.registry.request('GET', `${pigeon}/webhook?pagesize=2&start=3&order=Name%20desc`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ TotalResultCount: 5, StartIndex: 3, PageSize: 2 });
    expect(page.body.Results.map((r: any) => r.Name)).toEqual(['charlie', 'bravo']);
    // Another tenant's webhooks are not visible.
    expect(page.body.Results.every((r: any) => r.AppName === 'Pager')).toBe(true);
    // Rally's maximum page is 200; a bigger one is cut to it, a non-positive one is refused.
    const big = await other.registry.request('GET', `${pigeon}/webhook?pagesize=500`);
    expect(big.body.PageSize).toBe(200);
    const bad = await other.registry.request('GET', `${pigeon}/webhook?pagesize=0`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('pagesize');
  });

  it('deletes a webhook whose target answers 410 Gone, so it never fires again', async () => {
    e2e.receiver.behave('/gone', 410);
    const created = await acme.registry.request('POST', `${pigeon}/webhook`, {
      AppName: 'My Cool App',
      AppUrl: 'www.example.com',
      Name: 'unwanted',
      TargetUrl: e2e.receiver.url('/gone'),
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Severity', Operator: '=', Value: 'High' }],
    });
    expect(created.status).toBe(200);
    const id = created.body.ObjectUUID as string;
    await e2e.indexed(7);
    const defect = {
      action: 'Created',
      object_type: 'Defect',
      object_id: 'd-1',
      after: { Name: 'Crash', Severity: 'High' },
    };
    expect((await acme.ingest.request('POST', '/api/v2/changes', defect)).status).toBe(202);
    await waitFor(async () => (await acme.registry.request('GET', `${pigeon}/webhook/${id}`)).status === 404, 20_000);
    expect(e2e.receiver.at('/gone')).toHaveLength(1);
    // Gone from the matcher too: a second change is not delivered.
    await e2e.indexed(6);
    expect((await acme.ingest.request('POST', '/api/v2/changes', { ...defect, object_id: 'd-2' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(e2e.receiver.at('/gone')).toHaveLength(1);
  });
});
