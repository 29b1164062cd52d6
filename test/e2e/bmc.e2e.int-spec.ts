/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { Receiver, waitFor, type ReceivedRequest } from '@hookline/testing';
import { E2eStack, type Tenant } from './e2e-stack';

/** The record definition of the seed's example (BMC's `recordDefinitionName`), a module-qualified name. */
const TASK = 'com.example.taskmanager:Task';
/** The seed's condition: Priority (field 536870913) is High and Assignee (field 4) is unset. */
const HIGH_AND_UNASSIGNED = '${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$';

/** BMC's registration API. */
const DEFINITIONS = '/api/rx/application/webhook/webhookdefinition';

/** Where BMC Helix Innovation Suite's own sign-in answers. */
const LOGIN_PATH = '/api/rx/authentication/loginrequest';

/** A Task record as BMC holds it: field ids to values (1 request id, 2 submitter, 7 status, 8 summary). */
type TaskRecord = Record<string, unknown>;

const record = (id: string, fields: TaskRecord): TaskRecord => ({
  '1': id,
  '2': 'admin@company.com',
  '7': 0,
  '8': 'New Task',
  ...fields,
});

/** A record event as a BMC-side producer reports it: before/after snapshots of the record. */
const created = (id: string, fields: TaskRecord) => ({
  action: 'Created',
  object_type: TASK,
  object_id: id,
  after: record(id, fields),
});
const updated = (id: string, before: TaskRecord, after: TaskRecord) => ({
  action: 'Updated',
  object_type: TASK,
  object_id: id,
  before: record(id, before),
  after: record(id, after),
});
const deleted = (id: string, fields: TaskRecord) => ({
  action: 'Deleted',
  object_type: TASK,
  object_id: id,
  before: record(id, fields),
});

/** Attribute names of a payload's `state` or `changes` (both are keyed by attribute id). */
const names = (map: Record<string, any>): string[] =>
  Object.values(map)
    .map((a) => a.name as string)
    .sort();

const payloadOf = (request: ReceivedRequest): any => JSON.parse(request.body);

/**
 * BMC Helix Innovation Studio's webhook definitions as an administrator uses them, mapped onto
 * Hookline's registry: `recordDefinitionName` → ObjectTypes, `recordEvents` → Events, `condition`
 * → Condition (same language), `callback.url`/`headers` → TargetUrl/Headers, `payloadFieldIds` →
 * Fields, `includeAllFields` → IncludeAllFields, enable/disable → PATCH Disabled, the data page
 * query → GET /webhook filters, and "Webhook Callback Fail Data" → the failed deliveries. BMC's own
 * registration API (/api/rx/application/webhook/webhookdefinition) does the same mapping.
 */
describe('seed: BMC Helix webhooks on the whole stack', () => {
  let e2e: E2eStack;
  let admin: Tenant;
  /** Webhooks the matcher holds (enabled, all tenants), to wait for it to follow the registry. */
  let enabled = 0;

  beforeAll(async () => {
    e2e = await E2eStack.start();
    admin = await e2e.tenant(401);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  /** Registers a webhook (Hookline's create), counting it for the matcher. */
  async function register(tenant: Tenant, body: Record<string, unknown>): Promise<any> {
    const reply = await tenant.registry.request('POST', '/api/v2/webhook', {
      AppName: 'Task manager',
      AppUrl: 'http://taskmanager.example.com',
      ...body,
    });
    expect(reply.status).toBe(200);
    if (reply.body.Disabled === false) enabled++;
    return reply.body;
  }

  async function ingest(...changes: unknown[]): Promise<string[]> {
    const reply = await admin.ingest.request('POST', '/api/v2/changes', changes);
    expect(reply.status).toBe(202);
    return reply.body.message_ids as string[];
  }

  const webhookOf = async (id: string): Promise<any> =>
    (await admin.registry.request('GET', `/api/v2/webhook/${id}`)).body;

  it('registers the seed webhook: fires with its headers and auth only when the condition holds', async () => {
    // A condition that does not parse is refused, pointing at where.
    const broken = await admin.registry.request('POST', '/api/v2/webhook', {
      AppName: 'Task manager',
      AppUrl: 'http://taskmanager.example.com',
      Name: 'Samplewebhook',
      TargetUrl: e2e.receiver.url('/bmc/recordevent'),
      ObjectTypes: [TASK],
      Events: ['Created', 'Updated'],
      Condition: '${webhookContext.536870913} = "High" AND',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.details).toEqual([
      { field: 'Condition', reason: expect.stringMatching(/^Condition has a syntax error: .* at position 40$/) },
    ]);

    // The seed's registration, field by field; no Expressions: the record events and condition say when.
    const webhook = await register(admin, {
      Name: 'Samplewebhook',
      TargetUrl: e2e.receiver.url('/bmc/recordevent'),
      ObjectTypes: [TASK],
      Events: ['Created', 'Updated'],
      Condition: HIGH_AND_UNASSIGNED,
      IncludeAllFields: false,
      Fields: ['2', '7', '8'],
      Headers: { secret: 'abc', 'X-Requested-By': 'XMLHttpRequest' },
      Authentication: { Type: 'Basic', Username: 'admin', Password: 'rx-Passw0rd' },
    });
    expect(webhook).toMatchObject({
      Name: 'Samplewebhook',
      ObjectTypes: [TASK],
      Events: ['Created', 'Updated'],
      Condition: HIGH_AND_UNASSIGNED,
      Expressions: [],
      IncludeAllFields: false,
      Fields: ['2', '7', '8'],
      Disabled: false,
      // BMC's retry policy is the default: its status list, three retries with growing delays.
      RetryPolicy: { MaxRetries: 3, RetryOnStatus: [408, 409, 425, 429, 502, 503, 504] },
      Authentication: { Type: 'Basic', Username: 'admin' },
    });
    // Header values and the password are credentials: masked in every answer.
    expect(Object.keys(webhook.Headers).sort()).toEqual(['X-Requested-By', 'secret']);
    expect(JSON.stringify(webhook)).not.toMatch(/"abc"|XMLHttpRequest|rx-Passw0rd/);
    // GET webhook definition.
    expect(await webhookOf(webhook.ObjectUUID)).toMatchObject({
      Name: 'Samplewebhook',
      Condition: HIGH_AND_UNASSIGNED,
    });
    await e2e.indexed(enabled);

    const ids = await ingest(
      created('000000000000002', { '536870913': 'High', '4': 'Allen' }), // assigned
      created('000000000000003', { '536870913': 'Low', '4': null }), // not high
      deleted('000000000000004', { '536870913': 'High', '4': null }), // delete is not registered
      updated('000000000000005', { '536870913': 'High', '4': null, '8': 'x' }, { '536870913': 'High', '4': 'Bob' }),
      created('000000000000001', { '536870913': 'High', '4': null }), // matches
      updated('000000000000006', { '536870913': 'Low', '4': null, '7': 0 }, { '536870913': 'High', '4': null, '7': 1 }), // matches
    );

    const deliveries = await waitFor(
      () => e2e.receiver.at('/bmc/recordevent').length >= 2 && e2e.receiver.at('/bmc/recordevent'),
      20_000,
    );
    const byRecord = new Map(deliveries.map((d) => [payloadOf(d).message.object_id as string, d]));
    expect([...byRecord.keys()].sort()).toEqual(['000000000000001', '000000000000006']);
    for (const delivery of deliveries) {
      expect(delivery.method).toBe('POST');
      expect(delivery.headers['content-type']).toMatch(/^application\/json/);
      expect(delivery.headers.secret).toBe('abc');
      expect(delivery.headers['x-requested-by']).toBe('XMLHttpRequest');
      expect(delivery.headers.authorization).toBe(`Basic ${Buffer.from('admin:rx-Passw0rd').toString('base64')}`);
    }

    // Create: the fields of payloadFieldIds only (Fields), the record named by the message itself.
    const onCreate = payloadOf(byRecord.get('000000000000001')!);
    expect(onCreate.rule).toMatchObject({ ObjectUUID: webhook.ObjectUUID, Condition: HIGH_AND_UNASSIGNED });
    expect(onCreate.message).toMatchObject({
      message_id: ids[4],
      action: 'Created',
      object_type: TASK,
      object_id: '000000000000001',
    });
    expect(names(onCreate.message.state)).toEqual(['2', '7', '8']);
    // Update with includeAllFields false: only the modified fields among them (status 7), not 2 and 8.
    const onUpdate = payloadOf(byRecord.get('000000000000006')!);
    expect(onUpdate.message).toMatchObject({ message_id: ids[5], action: 'Updated' });
    expect(names(onUpdate.message.state)).toEqual(['7']);
    expect(Object.values(onUpdate.message.changes)).toEqual([
      expect.objectContaining({ name: '7', value: 1, old_value: 0 }),
    ]);

    // Nothing else arrives, and the stats count the two deliveries.
    const fired = await waitFor(async () => {
      const body = await webhookOf(webhook.ObjectUUID);
      return body.FireCount === 2 && body;
    }, 10_000);
    expect(fired).toMatchObject({ LastStatus: 200, ErrorCount: 0, LastFailure: null });
    expect(e2e.receiver.at('/bmc/recordevent')).toHaveLength(2);
  });

  it("registers through BMC's own API with the seed's Native sign-in and receives BMC's flat record", async () => {
    // The BMC server's login, at the callback's origin as the seed's sample gives no loginPath.
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    e2e.receiver.behave(LOGIN_PATH, { body: jwt });
    // The seed's registration call, at its path and in its words.
    const registered = await admin.registry.request('POST', DEFINITIONS, {
      name: 'flat record',
      event: {
        resourceType: 'com.bmc.arsys.rx.services.webhook.domain.webhookRecordEvent',
        recordDefinitionName: TASK,
        condition: '${webhookContext.8} = "flat"',
        recordEvents: ['create', 'update', 'delete'],
      },
      includeAllFields: false,
      callback: {
        url: e2e.receiver.url('/bmc/flat'),
        headers: { secret: 'abc' },
        payloadFieldIds: [2, 7, 8],
        authentication: {
          resourceType: 'com.bmc.arsys.rx.services.webapi.domain.NativeAuthenticationType',
          httpHeaders: [
            { key: 'X-Requested-By', value: 'XMLHttpRequest' },
            { key: 'Content-Type', value: 'application/json' },
          ],
          username: 'admin',
          credentials: 'Password',
        },
      },
    });
    expect(registered.status).toBe(201);
    enabled++;
    const webhook = await webhookOf(registered.body.id);
    expect(webhook).toMatchObject({
      Name: 'flat record',
      Dialect: 'bmc',
      PayloadFormat: 'record',
      IncludeAllFields: false,
      Fields: [2, 7, 8],
    });
    // payloadFieldIds come back as registered: numbers.
    const definition = await admin.registry.request('GET', `${DEFINITIONS}/flat%20record`);
    expect(definition.body.callback.payloadFieldIds).toEqual([2, 7, 8]);
    await e2e.indexed(enabled);
    await ingest(created('000000000000020', { '8': 'flat' }));
    await waitFor(() => e2e.receiver.at('/bmc/flat').length === 1, 20_000);
    await ingest(updated('000000000000020', { '8': 'flat' }, { '8': 'flat', '7': 1 }));
    await waitFor(() => e2e.receiver.at('/bmc/flat').length === 2, 20_000);
    await ingest(deleted('000000000000020', { '8': 'flat', '7': 1 }));
    const bodies = (
      await waitFor(() => e2e.receiver.at('/bmc/flat').length === 3 && e2e.receiver.at('/bmc/flat'), 20_000)
    ).map(payloadOf);

    const base = { recordDefinitionName: TASK };
    expect(bodies).toEqual([
      // Create: "All the created field IDs are provided", field 1 too though payloadFieldIds lists 2, 7, 8.
      { recordEvent: 'create', ...base, '1': '000000000000020', '2': 'admin@company.com', '7': 0, '8': 'flat' },
      // Update without includeAllFields: the modified field, the unchanged ones as null.
      { recordEvent: 'update', ...base, '2': null, '7': 1, '8': null },
      // Delete: "Only record definition name and record definition instance ID".
      { recordEvent: 'delete', ...base, recordInstanceId: '000000000000020' },
    ]);
    const callbacks = e2e.receiver.at('/bmc/flat');
    expect(callbacks.map((r) => r.headers.secret)).toEqual(['abc', 'abc', 'abc']);
    expect(callbacks.map((r) => r.headers['x-requested-by'])).toEqual(Array(3).fill('XMLHttpRequest'));
    // Signed in once, with the sample's credentials; the token is sent on every callback.
    expect(callbacks.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`AR-JWT ${jwt}`));
    const logins = e2e.receiver.at(LOGIN_PATH);
    expect(logins).toHaveLength(1);
    expect(JSON.parse(logins[0].body)).toEqual({ userName: 'admin', password: 'Password' });
  });

  it('signs in with OAuth2 client credentials posted in the form when tokenFetchMechanism is 1', async () => {
    e2e.receiver.behave('/oauth/token', { body: JSON.stringify({ access_token: 'form-tok', expires_in: 3600 }) });
    const registered = await admin.registry.request('POST', DEFINITIONS, {
      name: 'oauth form post',
      event: { recordDefinitionName: TASK, condition: '${webhookContext.8} = "oauth"', recordEvents: ['create'] },
      callback: {
        url: e2e.receiver.url('/bmc/oauth'),
        authentication: {
          resourceType: 'com.bmc.arsys.rx.services.webapi.domain.OAuth2ClientCredentials',
          username: 'client-1',
          credentials: 's3cret&more',
          authServerEndpoint: e2e.receiver.url('/'),
          tokenPath: '/oauth/token',
          tokenFetchMechanism: 1,
        },
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.callback.authentication).toMatchObject({ tokenFetchMechanism: 1 });
    enabled++;
    await e2e.indexed(enabled);
    await ingest(created('000000000000030', { '8': 'oauth' }));

    const [callback] = await waitFor(
      () => e2e.receiver.at('/bmc/oauth').length === 1 && e2e.receiver.at('/bmc/oauth'),
      20_000,
    );
    expect(callback.headers.authorization).toBe('Bearer form-tok');
    const [tokenRequest] = e2e.receiver.at('/oauth/token');
    expect(tokenRequest.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 's3cret&more',
    });
  });

  it('retries a status from the retry list with growing delays, then delivers', async () => {
    const webhook = await register(admin, {
      Name: 'retry list',
      TargetUrl: e2e.receiver.url('/bmc/retry'),
      ObjectTypes: [TASK],
      Events: ['Created'],
      Condition: '${webhookContext.8} = "retry me"',
    });
    await e2e.indexed(enabled);
    e2e.receiver.script('/bmc/retry', 429, 503);
    await ingest(created('000000000000010', { '8': 'retry me' }));

    const attempts = await waitFor(
      () => e2e.receiver.at('/bmc/retry').length === 3 && e2e.receiver.at('/bmc/retry'),
      20_000,
    );
    expect(attempts.map((a) => a.status)).toEqual([429, 503, 200]);
    // One delivery: the same id and the same body on every attempt, later attempts waiting longer.
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    const gaps = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);

    const stats = await waitFor(async () => {
      const body = await webhookOf(webhook.ObjectUUID);
      return body.FireCount === 3 && body;
    }, 10_000);
    expect(stats).toMatchObject({ ErrorCount: 0, LastStatus: 200 });
    expect(stats.LastSuccess).not.toBeNull();
    expect(Date.parse(stats.LastFailure)).toBeLessThan(Date.parse(stats.LastSuccess));

    // The delivery log shows each attempt; nothing was saved as failed.
    const log = (await admin.registry.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}/attempts`)).body;
    expect(log.TotalResultCount).toBe(3);
    const rows = [...log.Results].sort((a: any, b: any) => a.Attempt - b.Attempt);
    expect(rows.map((r: any) => [r.Attempt, r.Outcome, r.Status])).toEqual([
      [1, 'retry', 429],
      [2, 'retry', 503],
      [3, 'success', 200],
    ]);
    expect(new Set(rows.map((r: any) => r.DeliveryID)).size).toBe(1);
    const failed = (await admin.registry.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}/failed`)).body;
    expect(failed.TotalResultCount).toBe(0);
  });

  it('saves a callback that keeps failing with its payload and status, and replays it once the receiver is back', async () => {
    // The application's own endpoint, down for a while: every attempt answers 503.
    const app = await Receiver.start();
    try {
      app.behave('/webhook/is/recordevent', 503);
      const webhook = await register(admin, {
        Name: 'failing callback',
        TargetUrl: app.url('/webhook/is/recordevent'),
        ObjectTypes: [TASK],
        Events: ['Created'],
        Condition: '${webhookContext.8} = "fail me"',
        // The seed's list and three retries, with short delays so the test need not wait minutes.
        RetryPolicy: { InitialDelayMs: 200, BackoffMultiplier: 2 },
      });
      await e2e.indexed(enabled);
      const [messageId] = await ingest(created('000000000000020', { '8': 'fail me' }));

      // After the third retry the payload and response code are kept ("Webhook Callback Fail Data").
      const failed = await waitFor(async () => {
        const body = (await admin.registry.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}/failed`)).body;
        return body.TotalResultCount === 1 && body.Results[0];
      }, 20_000);
      expect(app.at('/webhook/is/recordevent').map((r) => r.status)).toEqual([503, 503, 503, 503]);
      expect(failed).toMatchObject({ MessageID: messageId, LastStatus: 503, Attempts: 4, ReplayCount: 0 });
      expect(failed.Payload).toEqual(payloadOf(app.at('/webhook/is/recordevent')[0]));
      const stats = await waitFor(async () => {
        const body = await webhookOf(webhook.ObjectUUID);
        return body.FireCount === 4 && body;
      }, 10_000);
      expect(stats).toMatchObject({ ErrorCount: 4, LastStatus: 503, LastSuccess: null });

      // Processed one last time once the application is back: the saved payload, delivered.
      app.behave('/webhook/is/recordevent', undefined);
      const replay = await admin.registry.request(
        'POST',
        `/api/v2/webhook/${webhook.ObjectUUID}/failed/${failed.DeliveryID}/replay`,
      );
      expect(replay.status).toBe(202);
      expect(replay.body.DeliveryID).toBe(`${failed.DeliveryID}-replay-1`);
      const replayed = await waitFor(() => app.at('/webhook/is/recordevent').find((r) => r.status === 200), 10_000);
      expect(payloadOf(replayed)).toEqual(failed.Payload);
      const after = await waitFor(async () => {
        const body = await webhookOf(webhook.ObjectUUID);
        return body.FireCount === 5 && body;
      }, 10_000);
      expect(after).toMatchObject({ ErrorCount: 0, LastStatus: 200 });
      const record = (await admin.registry.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}/failed`)).body;
      expect(record.Results[0]).toMatchObject({ DeliveryID: failed.DeliveryID, ReplayCount: 1 });
      expect(record.Results[0].LastReplayAt).not.toBeNull();
    } finally {
      await app.stop();
    }
  });

  it("keeps a failed callback as BMC's fail data and processes it one last time once the receiver answers", async () => {
    const app = await Receiver.start();
    try {
      app.behave('/is/recordevent', 503);
      const registered = await admin.registry.request('POST', DEFINITIONS, {
        name: 'last processing',
        event: { recordDefinitionName: TASK, condition: '${webhookContext.8} = "last"', recordEvents: ['create'] },
        callback: { url: app.url('/is/recordevent'), payloadFieldIds: [8] },
      });
      expect(registered.status).toBe(201);
      enabled++;
      // BMC's three retries, with short delays so the test need not wait 21 s.
      const id = registered.body.id as string;
      const patched = await admin.registry.request('PATCH', `/api/v2/webhook/${id}`, {
        RetryPolicy: { InitialDelayMs: 200, BackoffMultiplier: 2 },
      });
      expect(patched.status).toBe(200);
      await e2e.indexed(enabled);
      const matcher = e2e.client('matcher', e2e.stack.adminKey);
      await waitFor(async () => (await matcher.request('GET', '/api/v2/index')).body.lag === 0, 10_000);
      await ingest(created('000000000000050', { '8': 'last' }));

      const failData = `${DEFINITIONS}/last%20processing/callbackfaildata`;
      const failed = await waitFor(async () => {
        const body = (await admin.registry.request('GET', failData)).body;
        return body.totalSize === 1 && body.data[0];
      }, 20_000);
      const sent = { recordEvent: 'create', recordDefinitionName: TASK, '1': '000000000000050' };
      expect(failed).toMatchObject({
        webhookDefinitionName: 'last processing',
        recordDefinitionName: TASK,
        responseCode: 503,
        attempts: 4,
        processedOnceMore: false,
        payload: sent,
      });
      expect(app.at('/is/recordevent').map((r) => r.status)).toEqual([503, 503, 503, 503]);

      // The application is back: the next callback succeeds, and the saved one follows by itself.
      app.behave('/is/recordevent', undefined);
      await ingest(created('000000000000051', { '8': 'last' }));
      const recordsOk = () =>
        app
          .at('/is/recordevent')
          .filter((r) => r.status === 200)
          .map((r) => payloadOf(r)['1'] as string);
      await waitFor(() => recordsOk().length === 2, 20_000);
      expect(recordsOk().sort()).toEqual(['000000000000050', '000000000000051']);
      const processed = (await admin.registry.request('GET', failData)).body;
      expect(processed).toMatchObject({ totalSize: 1, data: [{ id: failed.id, processedOnceMore: true }] });
      expect(processed.data[0].lastProcessedAt).not.toBeNull();

      // One last time only: later successes send it no more.
      await ingest(created('000000000000052', { '8': 'last' }));
      await waitFor(() => recordsOk().length === 3, 20_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(recordsOk().filter((record) => record === '000000000000050')).toHaveLength(1);
      expect((await admin.registry.request('GET', `${DEFINITIONS}/nobody/callbackfaildata`)).status).toBe(404);
    } finally {
      await app.stop();
    }
  });

  it('does not retry a status outside the retry list: the callback fails at once', async () => {
    e2e.receiver.behave('/bmc/rejecting', 400);
    const webhook = await register(admin, {
      Name: 'rejecting callback',
      TargetUrl: e2e.receiver.url('/bmc/rejecting'),
      ObjectTypes: [TASK],
      Events: ['Created'],
      Condition: '${webhookContext.8} = "reject me"',
    });
    await e2e.indexed(enabled);
    await ingest(created('000000000000030', { '8': 'reject me' }));
    const failed = await waitFor(async () => {
      const body = (await admin.registry.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}/failed`)).body;
      return body.TotalResultCount === 1 && body.Results[0];
    }, 20_000);
    expect(failed).toMatchObject({ LastStatus: 400, Attempts: 1 });
    expect(e2e.receiver.at('/bmc/rejecting')).toHaveLength(1);
  });

  it('a disabled webhook does not fire; enabled again, it does', async () => {
    const toggled = await register(admin, {
      Name: 'toggled',
      TargetUrl: e2e.receiver.url('/bmc/toggled'),
      ObjectTypes: [TASK],
      Events: ['Updated'],
      Condition: '${webhookContext.8} LIKE "toggle%"',
    });
    // A second application on the same records shows when each change has been handled.
    await register(admin, {
      Name: 'witness',
      TargetUrl: e2e.receiver.url('/bmc/witness'),
      ObjectTypes: [TASK],
      Events: ['Updated'],
      Condition: '${webhookContext.8} LIKE "toggle%"',
    });
    const path = `/api/v2/webhook/${toggled.ObjectUUID}`;

    // Disable (BMC: PUT {"enabled": false}).
    const disabled = await admin.registry.request('PATCH', path, { Disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ Disabled: true, Condition: toggled.Condition });
    enabled--;
    await e2e.indexed(enabled);
    await ingest(updated('000000000000040', { '8': 'x' }, { '8': 'toggle 1' }));
    await waitFor(() => e2e.receiver.at('/bmc/witness').length === 1, 20_000);

    // Enable again (BMC: PUT {"enabled": true}).
    const reenabled = await admin.registry.request('PATCH', path, { Disabled: false });
    expect(reenabled.body.Disabled).toBe(false);
    enabled++;
    await e2e.indexed(enabled);
    await ingest(updated('000000000000040', { '8': 'toggle 1' }, { '8': 'toggle 2' }));
    await waitFor(() => e2e.receiver.at('/bmc/witness').length === 2, 20_000);
    const [only] = await waitFor(
      () => e2e.receiver.at('/bmc/toggled').length > 0 && e2e.receiver.at('/bmc/toggled'),
      10_000,
    );
    const changed = Object.values(payloadOf(only).message.changes) as any[];
    expect(changed).toEqual([expect.objectContaining({ name: '8', value: 'toggle 2', old_value: 'toggle 1' })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(e2e.receiver.at('/bmc/toggled')).toHaveLength(1);
  });

  it('answers the data page query: by name list, enabled state, record events and record definition', async () => {
    const other = await e2e.tenant(402);
    const define = (Name: string, ObjectTypes: string[], Events: string[], Disabled = false) =>
      register(other, { Name, TargetUrl: 'https://taskmanager.example.com/hook', ObjectTypes, Events, Disabled });
    await define('Samplewebhook1', [TASK], ['Created', 'Updated']);
    const second = await define('Samplewebhook2', [TASK], ['Deleted'], true);
    await define('Samplewebhook3', ['com.example.taskmanager:Project'], ['Updated']);
    await define('Audit', [TASK], ['Created', 'Deleted']);

    const query = async (params: string): Promise<string[]> => {
      const reply = await other.registry.request('GET', `/api/v2/webhook?${params}`);
      expect(reply.status).toBe(200);
      return reply.body.Results.map((w: any) => w.Name);
    };
    expect(await query('name=Samplewebhook1,Samplewebhook2,Samplewebhook3&order=Name')).toEqual([
      'Samplewebhook1',
      'Samplewebhook2',
      'Samplewebhook3',
    ]);
    expect(await query('isEnabled=true&order=Name')).toEqual(['Audit', 'Samplewebhook1', 'Samplewebhook3']);
    expect(await query('isEnabled=false')).toEqual(['Samplewebhook2']);
    // BMC's record event names (create, update, delete) are accepted as they are.
    expect(await query('event=create,delete&order=Name')).toEqual(['Audit', 'Samplewebhook1', 'Samplewebhook2']);
    expect(await query(`objectType=${encodeURIComponent(TASK)}&isEnabled=true&event=update`)).toEqual([
      'Samplewebhook1',
    ]);
    // The seed's pageSize=1.
    const page = await other.registry.request('GET', '/api/v2/webhook?pagesize=1&order=Name%20desc');
    expect(page.body).toMatchObject({ TotalResultCount: 4, PageSize: 1, StartIndex: 1 });
    expect(page.body.Results.map((w: any) => w.Name)).toEqual(['Samplewebhook3']);
    // A bad filter is refused by name.
    const bad = await other.registry.request('GET', '/api/v2/webhook?event=exploded');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('event');

    // De-registration: gone from GET and from the query.
    expect((await other.registry.request('DELETE', `/api/v2/webhook/${second.ObjectUUID}`)).status).toBe(204);
    expect((await other.registry.request('GET', `/api/v2/webhook/${second.ObjectUUID}`)).status).toBe(404);
    expect(await query('isEnabled=false')).toEqual([]);
    // The other tenant's webhooks are not in its data page.
    expect(await query('name=Samplewebhook')).toEqual([]);
    expect((await admin.registry.request('GET', '/api/v2/webhook?name=Audit')).body.TotalResultCount).toBe(0);
  });
});
