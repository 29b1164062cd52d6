/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { waitFor, type ReceivedRequest } from '@hookline/testing';
import { E2eStack, type Tenant } from './e2e-stack';

/** What ChangeGear's API returns for a ticket: the whole record a webhook sends. */
const ticket = (id: number, prefix: string, fields: Record<string, unknown> = {}) => ({
  Id: id,
  TicketNumber: `${prefix}-${id}`,
  Subject: 'Printer on floor 3 is jammed',
  Description: 'Paper jam in tray 2; users cannot print.',
  Priority: 'Medium',
  Status: 'New',
  Category: 'Hardware',
  Requester: { Id: 77, Name: 'Dana Scully', Email: 'dana@example.com' },
  AssignedGroup: 'Service Desk',
  CreatedDate: '2026-11-20T09:15:00.000Z',
  CustomFields: [{ Name: 'Building', Value: 'HQ' }],
  ...fields,
});

type Ticket = ReturnType<typeof ticket>;

/** A create, update or delete in a ChangeGear module, reported as record snapshots. */
const event = (module: string, action: 'Created' | 'Updated' | 'Deleted', after: Ticket, before?: Ticket) => ({
  action,
  object_type: module,
  object_id: String(after.Id),
  user: { username: 'dana@example.com' },
  ...(action === 'Created' ? { after } : action === 'Updated' ? { before: before ?? after, after } : { before: after }),
});

/** The record a payload carries, rebuilt from `state` (keyed by attribute id, each entry named). */
const recordOf = (payload: any): Record<string, unknown> =>
  Object.fromEntries(Object.values(payload.message.state).map((a: any) => [a.name, a.value]));

const payloadOf = (request: ReceivedRequest): any => JSON.parse(request.body);

const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * ChangeGear's webhooks as its administrator sets them up in Web Administration > Webhooks, mapped
 * onto Hookline: Name, Callback URI → TargetUrl, User Name/Password → Basic Authentication (the
 * password encrypted, shown masked), Events and Modules → Events × ObjectTypes, Enabled → Disabled,
 * the entire ticket as payload (the default IncludeAllFields) and "Test a Webhook" → POST .../test.
 */
describe('seed: ChangeGear webhooks on the whole stack', () => {
  let e2e: E2eStack;
  let admin: Tenant;
  let enabled = 0;

  beforeAll(async () => {
    e2e = await E2eStack.start();
    admin = await e2e.tenant(501);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  /** The grid row: a name, a callback URI, events and modules, enabled. No Expressions. */
  async function addWebhook(body: Record<string, unknown>): Promise<any> {
    const reply = await admin.registry.request('POST', '/api/v2/webhook', {
      AppName: 'ChangeGear',
      AppUrl: 'https://changegear.example.com',
      Disabled: false,
      ...body,
    });
    expect(reply.status).toBe(200);
    enabled++;
    return reply.body;
  }

  async function ingest(...changes: unknown[]): Promise<void> {
    const reply = await admin.ingest.request('POST', '/api/v2/changes', changes);
    expect(reply.status).toBe(202);
  }

  const firedTimes = (id: string, count: number) =>
    waitFor(async () => {
      const body = (await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body;
      return body.FireCount === count && body;
    }, 20_000);

  it('fires each webhook only for its combinations of module and event, sending the entire ticket', async () => {
    const bugs = await addWebhook({
      Name: 'New incidents -> bug tracker',
      TargetUrl: e2e.receiver.url('/cg/bug-tracker'),
      ObjectTypes: ['Incident'],
      Events: ['Created'],
    });
    const projects = await addWebhook({
      Name: 'Changed changes and service requests -> project management',
      TargetUrl: e2e.receiver.url('/cg/projects'),
      ObjectTypes: ['Change', 'ServiceRequest'],
      Events: ['Updated'],
    });
    const cmdb = await addWebhook({
      Name: 'Retired CIs -> asset register',
      TargetUrl: e2e.receiver.url('/cg/assets'),
      ObjectTypes: ['ConfigurationItem'],
      Events: ['Deleted'],
    });
    // ChangeGear's own body: the ticket alone, nothing around it.
    const bare = await addWebhook({
      Name: 'Changed changes -> ticket mirror',
      TargetUrl: e2e.receiver.url('/cg/mirror'),
      ObjectTypes: ['Change'],
      Events: ['Updated'],
      PayloadFormat: 'ticket',
    });
    // Several combinations of module and event in one webhook, not their cross product.
    const combos = await addWebhook({
      Name: 'Chosen combinations -> service desk board',
      TargetUrl: e2e.receiver.url('/cg/combos'),
      Triggers: [
        { ObjectType: 'Incident', Event: 'Created' },
        { ObjectType: 'ServiceRequest', Event: 'Updated' },
        { ObjectType: 'ConfigurationItem', Event: 'Deleted' },
      ],
    });
    // Module and event combinations are ChangeGear's: so is the payload, the bare ticket.
    expect(combos).toMatchObject({
      ObjectTypes: ['Incident', 'ServiceRequest', 'ConfigurationItem'],
      Events: ['Created', 'Updated', 'Deleted'],
      Dialect: 'changegear',
      PayloadFormat: 'ticket',
      IncludeAllFields: true,
    });
    for (const webhook of [bugs, projects, cmdb]) {
      expect(webhook).toMatchObject({
        Expressions: [],
        IncludeAllFields: true,
        Disabled: false,
        PayloadFormat: 'rally',
      });
    }
    expect(bare).toMatchObject({ PayloadFormat: 'ticket' });
    await e2e.indexed(enabled);

    const incident = ticket(1001, 'IN');
    const change = ticket(2001, 'CH', { Subject: 'Replace printer', Status: 'Approved' });
    const request = ticket(3001, 'SR', { Subject: 'New laptop' });
    const ci = ticket(4001, 'CI', { Subject: 'PRN-FL3-01', Category: 'Printer' });
    await ingest(
      event('Incident', 'Updated', { ...incident, Status: 'Assigned' }, incident),
      event('Incident', 'Deleted', ticket(1002, 'IN')),
      event('ServiceRequest', 'Created', ticket(3002, 'SR')),
      event('Change', 'Deleted', ticket(2002, 'CH')),
      event('ConfigurationItem', 'Updated', { ...ci, Status: 'Retiring' }, ci),
      event('Problem', 'Created', ticket(5001, 'PR')),
      event('Incident', 'Created', incident),
      event('Change', 'Updated', { ...change, Status: 'Completed' }, change),
      event('ServiceRequest', 'Updated', { ...request, Priority: 'High' }, request),
      event('ConfigurationItem', 'Deleted', ci),
    );

    await firedTimes(bugs.ObjectUUID, 1);
    await firedTimes(projects.ObjectUUID, 2);
    await firedTimes(cmdb.ObjectUUID, 1);
    await firedTimes(bare.ObjectUUID, 1);
    await firedTimes(combos.ObjectUUID, 3);
    const received = (path: string) =>
      e2e.receiver
        .at(path)
        .map(
          (r) => `${payloadOf(r).message.object_type} ${payloadOf(r).message.action} ${payloadOf(r).message.object_id}`,
        )
        .sort();
    await new Promise((r) => setTimeout(r, 300));
    expect(received('/cg/bug-tracker')).toEqual(['Incident Created 1001']);
    expect(received('/cg/projects')).toEqual(['Change Updated 2001', 'ServiceRequest Updated 3001']);
    expect(received('/cg/assets')).toEqual(['ConfigurationItem Deleted 4001']);
    const combined = e2e.receiver.at('/cg/combos').map(payloadOf);
    expect(combined.map((t) => t.TicketNumber).sort()).toEqual(['CI-4001', 'IN-1001', 'SR-3001']);
    expect(combined.find((t) => t.TicketNumber === 'CI-4001')).toEqual(ci);
    expect(combined.find((t) => t.TicketNumber === 'SR-3001')).toEqual({ ...request, Priority: 'High' });

    // The entire ticket, as ChangeGear's API returns it: every field with its value, nested ones whole.
    const created = payloadOf(e2e.receiver.at('/cg/bug-tracker')[0]);
    expect(recordOf(created)).toEqual(incident);
    expect(created.rule).toMatchObject({ ObjectUUID: bugs.ObjectUUID, Name: 'New incidents -> bug tracker' });
    const updates = e2e.receiver.at('/cg/projects').map(payloadOf);
    const completed = updates.find((p) => p.message.object_type === 'Change');
    expect(recordOf(completed)).toEqual({ ...change, Status: 'Completed' });
    expect(Object.values(completed.message.changes)).toEqual([
      expect.objectContaining({ name: 'Status', value: 'Completed', old_value: 'Approved' }),
    ]);
    // On delete too: the record as it was.
    expect(recordOf(payloadOf(e2e.receiver.at('/cg/assets')[0]))).toEqual(ci);
    // PayloadFormat ticket: the body is the ticket itself, as ChangeGear sends it.
    expect(e2e.receiver.at('/cg/mirror').map(payloadOf)).toEqual([{ ...change, Status: 'Completed' }]);
  });

  it('keeps the password encrypted: never shown by the API, sent to the receiver as Basic auth', async () => {
    const password = 'Tr0ub4dor&3-horse';
    const webhook = await addWebhook({
      Name: 'Incidents -> secured receiver',
      TargetUrl: e2e.receiver.url('/cg/secured'),
      ObjectTypes: ['Incident'],
      Events: ['Created', 'Updated'],
      Authentication: { Type: 'Basic', Username: 'cg-integration', Password: password },
    });
    expect(webhook.Authentication).toEqual({ Type: 'Basic', Username: 'cg-integration', Password: '********' });
    const id = webhook.ObjectUUID as string;
    const shown: unknown[] = [webhook];
    shown.push((await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body);
    shown.push((await admin.registry.request('GET', '/api/v2/webhook?pagesize=200')).body);
    shown.push((await admin.registry.request('GET', `/apps/pigeon/api/v2/webhook/${id}`)).body);

    // Editing the row shows the password masked; saving it back unchanged keeps the real one.
    const row = (await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body;
    const edited = await admin.registry.request('PATCH', `/api/v2/webhook/${id}`, {
      Name: 'Incidents -> secured receiver (renamed)',
      Authentication: row.Authentication,
    });
    expect(edited.status).toBe(200);
    shown.push(edited.body);
    await e2e.indexed(enabled);
    await waitFor(async () => {
      const matcher = e2e.client('matcher', e2e.stack.adminKey);
      return (await matcher.request('GET', '/api/v2/index')).body.lag === 0;
    }, 10_000);

    await ingest(event('Incident', 'Created', ticket(1101, 'IN')));
    const [delivery] = await waitFor(
      () => e2e.receiver.at('/cg/secured').length > 0 && e2e.receiver.at('/cg/secured'),
      20_000,
    );
    expect(delivery.headers.authorization).toBe(basic('cg-integration', password));
    expect(payloadOf(delivery).rule.Name).toBe('Incidents -> secured receiver (renamed)');
    // Nor is it in the body a receiver gets.
    expect(delivery.body).not.toContain(password);

    await firedTimes(id, 1);
    shown.push((await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body);
    shown.push((await admin.registry.request('GET', `/api/v2/webhook/${id}/attempts`)).body);
    for (const body of shown) expect(JSON.stringify(body)).not.toContain(password);
  });

  it('tests a webhook: a sample ticket reaches the receiver and the answer is reported', async () => {
    const password = 'c4ll-m3-m4yb3';
    const webhook = await addWebhook({
      Name: 'Service requests -> fulfilment',
      TargetUrl: e2e.receiver.url('/cg/fulfilment'),
      ObjectTypes: ['ServiceRequest'],
      Events: ['Created'],
      Authentication: { Type: 'Basic', Username: 'fulfil', Password: password },
    });
    const id = webhook.ObjectUUID as string;

    const ok = await admin.registry.request('POST', `/api/v2/webhook/${id}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ Outcome: 'success', Status: 200, ResponseExcerpt: 'ok', Error: null });
    expect(ok.body.LatencyMs).toEqual(expect.any(Number));
    expect(JSON.stringify(ok.body)).not.toContain(password);
    const [sample] = e2e.receiver.at('/cg/fulfilment');
    expect(sample.headers.authorization).toBe(basic('fulfil', password));
    expect(sample.headers['webhook-id']).toBe(ok.body.DeliveryID);
    const body = payloadOf(sample);
    expect(body.rule).toMatchObject({ ObjectUUID: id, Name: 'Service requests -> fulfilment' });
    expect(body.message).toMatchObject({ test: true, object_type: 'ServiceRequest', subscription_id: 501 });
    // Its rule is what a real delivery carries: no credentials, no stats.
    expect(body.rule).not.toHaveProperty('Authentication');
    expect(body.rule).not.toHaveProperty('FireCount');

    // A receiver that rejects it: the status is reported, the test is sent once.
    e2e.receiver.behave('/cg/fulfilment', 401);
    const rejected = await admin.registry.request('POST', `/api/v2/webhook/${id}/test`);
    expect(rejected.body).toMatchObject({ Outcome: 'failed', Status: 401, Error: 'HTTP 401' });
    // Even a status from the retry list: the test reports it at once and is not retried later.
    e2e.receiver.behave('/cg/fulfilment', 503);
    const unavailable = await admin.registry.request('POST', `/api/v2/webhook/${id}/test`);
    expect(unavailable.body).toMatchObject({ Outcome: 'failed', Status: 503 });
    // A receiver answering 410 to a test is reported; the webhook is not deleted for a test.
    e2e.receiver.behave('/cg/fulfilment', 410);
    const gone = await admin.registry.request('POST', `/api/v2/webhook/${id}/test`);
    expect(gone.body).toMatchObject({ Outcome: 'gone', Status: 410 });
    e2e.receiver.behave('/cg/fulfilment', undefined);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(e2e.receiver.at('/cg/fulfilment').map((r) => r.status)).toEqual([200, 401, 503, 410]);
    expect((await admin.registry.request('GET', `/api/v2/webhook/${id}`)).status).toBe(200);

    // Tests are not firings: no stats, nothing in the delivery log.
    const after = (await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body;
    expect(after).toMatchObject({ FireCount: null, ErrorCount: null, LastStatus: null });
    expect((await admin.registry.request('GET', `/api/v2/webhook/${id}/attempts`)).body.TotalResultCount).toBe(0);

    // And the webhook still works for real afterwards.
    await e2e.indexed(enabled);
    await ingest(event('ServiceRequest', 'Created', ticket(3101, 'SR')));
    await firedTimes(id, 1);
    const real = e2e.receiver.at('/cg/fulfilment').filter((r) => !payloadOf(r).message.test);
    expect(real).toHaveLength(1);
    expect(recordOf(payloadOf(real[0]))).toEqual(ticket(3101, 'SR'));
  });

  it('tests a webhook with the body it really sends: its dialect, payload format and Fields', async () => {
    const bare = await addWebhook({
      Name: 'Incidents -> mirror',
      TargetUrl: e2e.receiver.url('/cg/test-bare'),
      Triggers: [{ ObjectType: 'Incident', Event: 'Created' }],
    });
    const narrowed = await addWebhook({
      Name: 'Incident subjects -> board',
      TargetUrl: e2e.receiver.url('/cg/test-fields'),
      Triggers: [{ ObjectType: 'Incident', Event: 'Updated' }],
      Fields: ['Subject', 'Priority'],
    });
    for (const webhook of [bare, narrowed])
      expect((await admin.registry.request('POST', `/api/v2/webhook/${webhook.ObjectUUID}/test`)).body).toMatchObject({
        Outcome: 'success',
        Status: 200,
      });
    // A sample ticket, bare, as ChangeGear sends it: no rule or message around it.
    const [sample] = e2e.receiver.at('/cg/test-bare');
    expect(sample.headers['webhook-id']).toMatch(/^test-/);
    expect(payloadOf(sample)).toEqual({ ObjectID: expect.any(String), Name: 'Hookline test delivery' });
    // Fields apply as they would to a real ticket: the id and the listed fields only.
    expect(payloadOf(e2e.receiver.at('/cg/test-fields')[0])).toEqual({
      ObjectID: expect.any(String),
      Subject: 'sample Subject',
      Priority: 'sample Priority',
    });
  });

  it('an unknown webhook cannot be tested, nor another customer’s', async () => {
    const other = await e2e.tenant(502);
    const mine = await addWebhook({
      Name: 'private',
      TargetUrl: e2e.receiver.url('/cg/private'),
      ObjectTypes: ['Incident'],
      Events: ['Deleted'],
    });
    expect((await other.registry.request('POST', `/api/v2/webhook/${mine.ObjectUUID}/test`)).status).toBe(404);
    expect((await admin.registry.request('POST', '/api/v2/webhook/not-a-webhook/test')).status).toBe(404);
    expect(e2e.receiver.at('/cg/private')).toHaveLength(0);
  });
});
