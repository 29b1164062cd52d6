/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { SecretBox } from '@hookline/auth';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness, SEED_EXAMPLE, waitFor } from '../../test/registry-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('registry webhook API (real MongoDB-wire server and NATS)', () => {
  let h: RegistryHarness;
  let keyA: string;
  let keyB: string;
  let events: any[];

  beforeAll(async () => {
    h = await RegistryHarness.start();
    keyA = await h.createKey(100);
    keyB = await h.createKey(200);
    events = h.collect('webhooks.>');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const create = (body: unknown, key = keyA) => h.request('POST', '/apps/pigeon/api/v2/webhook', { key, body });

  it('creates the seed example with status 200 and the seed response fields', async () => {
    const reply = await h.request('POST', '/apps/pigeon/api/v2/webhook', { cookie: keyA, body: SEED_EXAMPLE });
    expect(reply.status).toBe(200);
    const w = reply.body;
    expect(w).toMatchObject({
      ...SEED_EXAMPLE,
      Expressions: [
        { AttributeID: null, AttributeName: 'PlanEstimate', Operator: '>', Value: 10 },
        { AttributeID: null, AttributeName: 'Workspace', Operator: '=', Value: '31685839-67fe-4f9d-9470-da56c222998b' },
      ],
      CreatedBy: null,
      Disabled: false,
      Security: null,
      SubscriptionID: 100,
      _objectVersion: 1,
      _type: 'webhook',
      FireCount: null,
      ErrorCount: null,
      LastStatus: null,
      LastWebhookResponseTime: null,
      LastSuccess: null,
      LastFailure: null,
      Events: ['Created', 'Updated', 'Deleted'],
      Condition: null,
      CommunicationMethod: 'http',
      RetryPolicy: { MaxRetries: 3, RetryOnStatus: [408, 409, 425, 429, 502, 503, 504] },
    });
    expect(w.ObjectUUID).toMatch(UUID);
    expect(w.OwnerID).toMatch(UUID);
    expect(w.CreationDate).toMatch(ISO);
    expect(w.LastUpdateDate).toBe(w.CreationDate);
    expect(w._ref).toBe(`${h.registry.baseUrl}/apps/pigeon/api/v2/webhook/${w.ObjectUUID}`);
    expect(w.SigningSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);

    const fetched = await h.request('GET', new URL(w._ref).pathname, { key: keyA });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ ...w, SigningSecret: `whsec_********${w.SigningSecret.slice(-4)}` });
    const short = await h.request('GET', `/api/v2/webhook/${w.ObjectUUID}`, { key: keyA });
    expect(short.body._ref).toBe(`${h.registry.baseUrl}/api/v2/webhook/${w.ObjectUUID}`);
  });

  it('answers 401 with nothing to learn for a missing, unknown or revoked key', async () => {
    const revocable = await h.createKey(100);
    const list = await h.request('GET', '/api/v2/apikey', { key: ADMIN_KEY });
    const revocableId = list.body.Results.find(
      (k: any) => revocable.startsWith(k.Hint) && k.Name === 'key for 100' && !k.Revoked && k.KeyID,
    ).KeyID;
    expect((await h.request('GET', '/api/v2/webhook', { key: revocable })).status).toBe(200);
    // The bootstrap key lives in subscription 100, so it can revoke keys there.
    expect((await h.request('DELETE', `/api/v2/apikey/${revocableId}`, { key: ADMIN_KEY })).status).toBe(204);

    const answers = [
      await h.request('GET', '/api/v2/webhook'),
      await h.request('GET', '/api/v2/webhook', { key: 'hk_unknown' }),
      await h.request('GET', '/api/v2/webhook', { cookie: 'hk_unknown' }),
      await h.request('POST', '/apps/pigeon/api/v2/webhook', { key: revocable, body: SEED_EXAMPLE }),
    ];
    for (const reply of answers) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: 'UNAUTHENTICATED', message: 'Unauthorized', details: [] });
    }
  });

  it('keeps tenants apart: another subscription sees nothing and gets 404 for every id', async () => {
    const mine = (await create({ ...SEED_EXAMPLE, Name: 'tenant A only' })).body;
    const theirs = await h.request('GET', '/api/v2/webhook?pagesize=200', { key: keyB });
    expect(theirs.status).toBe(200);
    expect(theirs.body.Results.map((w: any) => w.ObjectUUID)).not.toContain(mine.ObjectUUID);
    const path = `/api/v2/webhook/${mine.ObjectUUID}`;
    const attempts: [string, string, unknown?][] = [
      ['GET', path],
      ['PATCH', path, { Disabled: true }],
      ['DELETE', path],
      ['POST', `${path}/signing-secret`],
      ['POST', `${path}/failed/some-delivery/replay`],
    ];
    for (const [method, target, body] of attempts) {
      const reply = await h.request(method, target, { key: keyB, body });
      expect(reply.status).toBe(404);
      expect(reply.body.message).toBe('Webhook not found');
    }
    expect((await h.request('GET', `${path}/attempts`, { key: keyB })).status).toBe(404);
    expect((await h.request('GET', `${path}/failed`, { key: keyB })).status).toBe(404);
    const after = await h.request('GET', path, { key: keyA });
    expect(after.body).toMatchObject({ Disabled: false, _objectVersion: 1 });
  });

  it('refuses an invalid create with 400 naming every bad field, and stores nothing', async () => {
    const before = (await h.request('GET', '/api/v2/webhook', { key: keyA })).body.TotalResultCount;
    const reply = await create({
      AppUrl: '',
      TargetUrl: 'not a url',
      Expressions: [
        { Operator: '=', Value: 1 },
        { AttributeName: 'A', AttributeID: 'x', Operator: '>', Value: 1 },
        { AttributeName: 'B', Operator: 'between', Value: 1 },
        { AttributeName: 'C', Operator: '~', Value: 'Defect' },
        { AttributeName: 'D', Operator: 'has', Value: 1 },
        { AttributeName: 'E', Operator: '=' },
      ],
      Security: 'x'.repeat(41),
      Condition: '${webhookContext.4} = "High" AND',
      Events: [],
      Surprise: true,
      FireCount: 5,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('VALIDATION_FAILED');
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(
      [
        'AppName',
        'AppUrl',
        'Name',
        'TargetUrl',
        'Expressions.0.AttributeName',
        'Expressions.1.AttributeName',
        'Expressions.2.Operator',
        'Expressions.3.Value',
        'Expressions.4.Value',
        'Expressions.5.Value',
        'Security',
        'Condition',
        'Events',
        'Surprise',
        'FireCount',
      ].sort(),
    );
    const byField = Object.fromEntries(reply.body.details.map((d: any) => [d.field, d.reason]));
    expect(byField.Condition).toMatch(/^Condition has a syntax error: .* at position 32$/);
    expect(byField.FireCount).toMatch(/read-only/);
    expect((await create({ ...SEED_EXAMPLE, Expressions: [] })).body.details).toEqual([
      { field: 'Expressions', reason: expect.stringMatching(/1 to 100/) },
    ]);
    expect((await create({ ...SEED_EXAMPLE, Expressions: null })).body.details).toEqual([
      { field: 'Expressions', reason: 'Expressions must not be null' },
    ]);
    expect((await create({ ...SEED_EXAMPLE, Security: 'say "hi"' })).body.details).toEqual([
      { field: 'Security', reason: expect.stringMatching(/double quote/) },
    ]);
    expect((await create({ ...SEED_EXAMPLE, CommunicationMethod: 'websocket' })).body.details).toEqual([
      { field: 'SharedSpace', reason: expect.any(String) },
    ]);
    expect(
      (await create({ ...SEED_EXAMPLE, Triggers: [{ ObjectType: 'Incident', Event: 'Closed' }] })).body.details,
    ).toEqual([{ field: 'Triggers', reason: 'Triggers[0].Event must be one of: Created, Updated, Deleted' }]);
    expect(
      (
        await create({
          ...SEED_EXAMPLE,
          ObjectTypes: undefined,
          Triggers: [{ ObjectType: 'Incident', Event: 'Created' }],
          Events: ['Updated'],
        })
      ).body.details,
    ).toEqual([{ field: 'Events', reason: expect.stringMatching(/^Events cannot be set beside Triggers/) }]);
    expect((await create({ ...SEED_EXAMPLE, PayloadFormat: 'xml' })).body.details).toEqual([
      { field: 'PayloadFormat', reason: expect.stringMatching(/rally, record, ticket/) },
    ]);
    expect((await create({ ...SEED_EXAMPLE, Security: 'x'.repeat(40) })).status).toBe(200);
    expect((await h.request('GET', '/api/v2/webhook', { key: keyA })).body.TotalResultCount).toBe(before + 1);
  });

  it('PATCH changes only the fields sent, replaces arrays whole, and refuses an invalid result untouched', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'patch me', Security: 'token-1' })).body;
    const path = `/api/v2/webhook/${w.ObjectUUID}`;
    const disabled = await h.request('PATCH', path, { key: keyA, body: { Disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      Disabled: true,
      Name: 'patch me',
      Security: 'token-1',
      ObjectTypes: SEED_EXAMPLE.ObjectTypes,
      _objectVersion: 2,
    });
    expect(disabled.body.Expressions).toHaveLength(2);
    expect(disabled.body.CreationDate).toBe(w.CreationDate);
    expect(Date.parse(disabled.body.LastUpdateDate)).toBeGreaterThanOrEqual(Date.parse(w.LastUpdateDate));

    const replaced = await h.request('PATCH', path, {
      key: keyA,
      body: {
        ObjectTypes: ['Feature'],
        Expressions: [{ AttributeID: 'aad205e0-2fbe-11e4-8c21-0800200c9a66', Operator: 'changed' }],
        Security: null,
      },
    });
    expect(replaced.body).toMatchObject({
      ObjectTypes: ['Feature'],
      Expressions: [
        { AttributeID: 'aad205e0-2fbe-11e4-8c21-0800200c9a66', AttributeName: null, Operator: 'changed', Value: null },
      ],
      Security: null,
      Disabled: true,
      _objectVersion: 3,
    });

    for (const body of [
      { Name: null },
      { Expressions: [] },
      { Expressions: null },
      { RetryPolicy: null },
      { CommunicationMethod: 'websocket' },
      { TargetUrl: 'x', Disabled: false },
      { _objectVersion: 9 },
    ]) {
      const refused = await h.request('PATCH', path, { key: keyA, body });
      expect(refused.status).toBe(400);
    }
    const unchanged = await h.request('GET', path, { key: keyA });
    expect(unchanged.body).toEqual(replaced.body);
    expect(
      (await h.request('PATCH', '/api/v2/webhook/does-not-exist', { key: keyA, body: { Disabled: true } })).status,
    ).toBe(404);
  });

  it('Triggers: pairs of object type and event, ObjectTypes and Events derived; Triggers: [] goes back', async () => {
    const w = (
      await create({
        ...SEED_EXAMPLE,
        Name: 'combinations',
        ObjectTypes: undefined,
        Expressions: undefined,
        Triggers: [
          { ObjectType: 'Incident', Event: 'Deleted' },
          { ObjectType: 'Change', Event: 'Created' },
          { ObjectType: 'Incident', Event: 'Created' },
        ],
      })
    ).body;
    expect(w).toMatchObject({
      ObjectTypes: ['Incident', 'Change'],
      Events: ['Created', 'Deleted'],
      Expressions: [],
      Triggers: [
        { ObjectType: 'Incident', Event: 'Deleted' },
        { ObjectType: 'Change', Event: 'Created' },
        { ObjectType: 'Incident', Event: 'Created' },
      ],
    });
    const path = `/api/v2/webhook/${w.ObjectUUID}`;
    const clash = await h.request('PATCH', path, { key: keyA, body: { ObjectTypes: ['Problem'] } });
    expect(clash.status).toBe(400);
    expect(clash.body.details).toEqual([
      { field: 'ObjectTypes', reason: expect.stringMatching(/^ObjectTypes cannot be set beside Triggers/) },
    ]);
    const renamed = await h.request('PATCH', path, { key: keyA, body: { Name: 'still combinations' } });
    expect(renamed.body).toMatchObject({ Triggers: w.Triggers, ObjectTypes: ['Incident', 'Change'] });
    const back = await h.request('PATCH', path, {
      key: keyA,
      body: { Triggers: [], ObjectTypes: ['Problem'], Events: ['Updated'] },
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ Triggers: [], ObjectTypes: ['Problem'], Events: ['Updated'] });
  });

  it('stores every secret encrypted and only ever shows it masked after creation', async () => {
    const secrets = {
      password: 'basic-password-1',
      header: 'header-secret-value-12345678',
      client: 'client-secret-value-abcdefgh',
      signIn: 'sign-in-password-ijklmnop',
      token: 'fixed-token-value-qrstuvwx',
    };
    const basic = await create({
      ...SEED_EXAMPLE,
      Name: 'secret holder',
      Headers: { 'X-Requested-By': 'XMLHttpRequest', secret: secrets.header },
      Authentication: { Type: 'Basic', Username: 'admin', Password: secrets.password },
    });
    expect(basic.status).toBe(200);
    const signing = basic.body.SigningSecret as string;
    expect(basic.body.Authentication).toEqual({ Type: 'Basic', Username: 'admin', Password: '********' });
    expect(basic.body.Headers).toEqual({ 'X-Requested-By': '********', secret: '********5678' });

    const path = `/api/v2/webhook/${basic.body.ObjectUUID}`;
    // A client sending back what it read (masks included) keeps the stored secrets.
    const echoed = await h.request('PATCH', path, {
      key: keyA,
      body: { Authentication: basic.body.Authentication, Headers: basic.body.Headers },
    });
    expect(echoed.status).toBe(200);
    const oauth = await h.request('PATCH', path, {
      key: keyA,
      body: {
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://auth.example.com/token',
          ClientId: 'cid',
          ClientSecret: secrets.client,
          Scope: 'hooks',
        },
      },
    });
    expect(oauth.body.Authentication).toEqual({
      Type: 'OAuth2ClientCredentials',
      TokenUrl: 'https://auth.example.com/token',
      ClientId: 'cid',
      ClientSecret: '********efgh',
      Scope: 'hooks',
      ClientAuthMethod: 'client_secret_basic',
    });
    const token = await h.request('PATCH', path, {
      key: keyA,
      body: { Authentication: { Type: 'Token', Scheme: 'AR-JWT', Token: secrets.token } },
    });
    expect(token.body.Authentication).toEqual({ Type: 'Token', Scheme: 'AR-JWT', Token: '********uvwx' });
    const signIn = await h.request('PATCH', path, {
      key: keyA,
      body: {
        Authentication: {
          Type: 'SignIn',
          Flow: 'RemedyJwt',
          SignInUrl: 'https://ar.example.com/api/jwt/login',
          Username: 'admin',
          Password: secrets.signIn,
        },
      },
    });
    expect(signIn.body.Authentication).toEqual({
      Type: 'SignIn',
      Flow: 'RemedyJwt',
      SignInUrl: 'https://ar.example.com/api/jwt/login',
      Username: 'admin',
      Password: '********mnop',
    });
    // The sign-in's password is kept when its mask comes back.
    const signInEchoed = await h.request('PATCH', path, {
      key: keyA,
      body: { Authentication: signIn.body.Authentication },
    });
    expect(signInEchoed.status).toBe(200);

    const rotated = await h.request('POST', `${path}/signing-secret`, { key: keyA });
    expect(rotated.status).toBe(200);
    expect(rotated.body.SigningSecret).toMatch(/^whsec_/);
    expect(rotated.body.SigningSecret).not.toBe(signing);

    const readBack = [
      JSON.stringify((await h.request('GET', path, { key: keyA })).body),
      JSON.stringify((await h.request('GET', '/api/v2/webhook?pagesize=200', { key: keyA })).body),
      JSON.stringify(events),
    ].join('\n');
    const stored = await h.registry.app
      .get<Connection>(getConnectionToken())
      .collection('webhooks')
      .findOne({ _id: basic.body.ObjectUUID as never });
    const raw = JSON.stringify(stored);
    for (const clear of [...Object.values(secrets), signing, rotated.body.SigningSecret]) {
      expect(readBack).not.toContain(clear);
      expect(raw).not.toContain(clear);
    }
    expect(stored?.Headers[1].Value.Encrypted).toMatch(/^v1:/);
    expect(stored?.Authentication.Password.Encrypted).toMatch(/^v1:/);
    expect(new SecretBox(ENCRYPTION_KEY).decrypt(stored?.Authentication.Password.Encrypted)).toBe(secrets.signIn);
  });

  it('stores how OAuth2 client credentials reach the token URL, shows it and tells the matcher', async () => {
    const oauth = {
      Type: 'OAuth2ClientCredentials',
      TokenUrl: 'https://auth.example.com/token',
      ClientId: 'cid',
      ClientSecret: 'client-secret-value',
    };
    const w = await create({ ...SEED_EXAMPLE, Name: 'form post', Authentication: oauth });
    expect(w.body.Authentication).toMatchObject({ ClientAuthMethod: 'client_secret_basic', Scope: null });
    const path = `/api/v2/webhook/${w.body.ObjectUUID}`;

    const formPost = await h.request('PATCH', path, {
      key: keyA,
      body: { Authentication: { ...oauth, ClientAuthMethod: 'client_secret_post' } },
    });
    expect(formPost.status).toBe(200);
    expect((await h.request('GET', path, { key: keyA })).body.Authentication).toMatchObject({
      ClientAuthMethod: 'client_secret_post',
    });
    const event = await waitFor(() => events.find((e) => e.webhookId === w.body.ObjectUUID && e.objectVersion === 2));
    expect(event.webhook.Authentication.ClientAuthMethod).toBe('client_secret_post');

    const refused = await Promise.all([
      h.request('PATCH', path, {
        key: keyA,
        body: { Authentication: { ...oauth, ClientAuthMethod: 'tls_client_auth' } },
      }),
      h.request('PATCH', path, {
        key: keyA,
        body: {
          Authentication: { Type: 'Basic', Username: 'u', Password: 'p', ClientAuthMethod: 'client_secret_post' },
        },
      }),
    ]);
    expect(refused.map((r) => [r.status, r.body.details])).toEqual([
      [
        400,
        [
          {
            field: 'Authentication.ClientAuthMethod',
            reason: 'ClientAuthMethod must be one of: client_secret_basic, client_secret_post',
          },
        ],
      ],
      [
        400,
        [
          {
            field: 'Authentication.ClientAuthMethod',
            reason: 'ClientAuthMethod is only used with Type OAuth2ClientCredentials',
          },
        ],
      ],
    ]);
    expect((await h.request('GET', path, { key: keyA })).body._objectVersion).toBe(2);

    // A webhook stored before ClientAuthMethod existed reads as Basic, what it has always used.
    const webhooks = h.registry.app.get<Connection>(getConnectionToken()).collection('webhooks');
    const stored = await webhooks.findOne({ _id: w.body.ObjectUUID as never });
    expect(stored?.Authentication.ClientAuthMethod).toBe('client_secret_post');
    await webhooks.updateOne({ _id: w.body.ObjectUUID as never }, { $unset: { 'Authentication.ClientAuthMethod': 1 } });
    expect((await h.request('GET', path, { key: keyA })).body.Authentication.ClientAuthMethod).toBe(
      'client_secret_basic',
    );
  });

  it('publishes one WEBHOOKS event per change, with the version, for the matcher', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'evented' })).body;
    await h.request('PATCH', `/api/v2/webhook/${w.ObjectUUID}`, { key: keyA, body: { Name: 'evented 2' } });
    expect((await h.request('DELETE', `/api/v2/webhook/${w.ObjectUUID}`, { key: keyA })).status).toBe(204);
    const mine = await waitFor(() => {
      const seen = events.filter((e) => e.webhookId === w.ObjectUUID);
      return seen.length >= 3 && seen;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(events.filter((e) => e.webhookId === w.ObjectUUID)).toHaveLength(3);
    expect(mine.map((e) => [e.kind, e.objectVersion, e.tenant])).toEqual([
      ['created', 1, '100'],
      ['updated', 2, '100'],
      ['deleted', 3, '100'],
    ]);
    expect(mine[1].webhook).toMatchObject({ Name: 'evented 2', ObjectUUID: w.ObjectUUID, SubscriptionID: 100 });
    expect(mine[1].spec).toMatchObject({ TargetUrl: SEED_EXAMPLE.TargetUrl, Authentication: null });
    expect(mine[1].spec.SigningSecret).toMatch(/^v1:/);
    expect(mine[1].secrets).toBeUndefined();
    expect(mine[2].webhook).toBeUndefined();
    expect((await h.request('GET', `/api/v2/webhook/${w.ObjectUUID}`, { key: keyA })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v2/webhook/${w.ObjectUUID}`, { key: keyA })).status).toBe(404);
  });

  it('publishes a change left pending by a crash through the relay', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'stranded' })).body;
    const webhooks = h.registry.app.get<Connection>(getConnectionToken()).collection('webhooks');
    // As if the process died between the write and the publish of version 2.
    await webhooks.updateOne(
      { _id: w.ObjectUUID },
      {
        $set: {
          Name: 'stranded 2',
          ObjectVersion: 2,
          PendingEvent: { Kind: 'updated', ObjectVersion: 2 },
          LastUpdateDate: new Date(),
        },
      },
    );
    // The running instance left nothing pending itself, so it does not look before its next sweep
    // (its look at start, an interval after it started, covered only what was stored before it).
    await new Promise((r) => setTimeout(r, 6_000));
    expect(events.find((e) => e.webhookId === w.ObjectUUID && e.objectVersion === 2)).toBeUndefined();
    // The crashed process comes back: its start looks for what it may have left.
    const restarted = await h.startAnother();
    try {
      const event = await waitFor(
        () => events.find((e) => e.webhookId === w.ObjectUUID && e.objectVersion === 2),
        15_000,
      );
      expect(event.webhook.Name).toBe('stranded 2');
      await waitFor(async () => (await webhooks.findOne({ _id: w.ObjectUUID }))?.PendingEvent === null);
    } finally {
      await restarted.close();
    }
  }, 60_000);

  it("gives each product's webhooks its dialect's defaults, shown by GET, and a new Dialect brings its own", async () => {
    const made = async (body: Record<string, unknown>) => {
      const reply = await create({ ...SEED_EXAMPLE, ...body });
      expect(reply.status).toBe(200);
      return (await h.request('GET', `/api/v2/webhook/${reply.body.ObjectUUID}`, { key: keyA })).body;
    };
    const pick = (w: any) => [w.Dialect, w.PayloadFormat, w.IncludeAllFields];
    expect(pick(await made({}))).toEqual(['rally', 'rally', true]);
    expect(pick(await made({ Dialect: 'octane' }))).toEqual(['octane', 'rally', false]);
    expect(pick(await made({ Dialect: 'bmc' }))).toEqual(['bmc', 'record', false]);
    expect(pick(await made({ Dialect: 'changegear' }))).toEqual(['changegear', 'ticket', true]);
    // ChangeGear's module and event combinations mean ChangeGear's bare ticket.
    const triggered = await made({ ObjectTypes: undefined, Triggers: [{ ObjectType: 'Incident', Event: 'Created' }] });
    expect(pick(triggered)).toEqual(['changegear', 'ticket', true]);
    // What the body says itself wins over the dialect's defaults.
    expect(pick(await made({ Dialect: 'bmc', IncludeAllFields: true, PayloadFormat: 'rally' }))).toEqual([
      'bmc',
      'rally',
      true,
    ]);
    const bad = await create({ ...SEED_EXAMPLE, Dialect: 'jira' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { field: 'Dialect', reason: 'Dialect must be one of: rally, octane, bmc, changegear' },
    ]);

    const path = `/api/v2/webhook/${triggered.ObjectUUID}`;
    const toOctane = await h.request('PATCH', path, { key: keyA, body: { Dialect: 'octane' } });
    expect(pick(toOctane.body)).toEqual(['octane', 'rally', false]);
    const removed = await h.request('PATCH', path, { key: keyA, body: { Dialect: null } });
    expect(removed.status).toBe(400);
    expect(removed.body.details).toEqual([
      { field: 'Dialect', reason: expect.stringMatching(/^Dialect cannot be removed/) },
    ]);
    // Published for the matcher too.
    const event = await waitFor(() =>
      events.find((e) => e.webhookId === triggered.ObjectUUID && e.webhook?.Dialect === 'octane'),
    );
    expect(event.webhook).toMatchObject({ PayloadFormat: 'rally', IncludeAllFields: false });
  });

  it('keeps a webhook stored before dialects without one: GET shows null, and it can be sent back', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'stored before dialects' })).body;
    const webhooks = h.registry.app.get<Connection>(getConnectionToken()).collection('webhooks');
    await webhooks.updateOne({ _id: w.ObjectUUID }, { $unset: { Dialect: '', RefBase: '' } });
    const path = `/api/v2/webhook/${w.ObjectUUID}`;
    const read = (await h.request('GET', path, { key: keyA })).body;
    expect(read).toMatchObject({ Dialect: null, PayloadFormat: 'rally', IncludeAllFields: true });
    const back = await h.request('PATCH', path, { key: keyA, body: read });
    expect(back.status).toBe(200);
    expect(back.body.Dialect).toBeNull();
    // Its payloads' rule had a relative _ref; changed once, it gets the absolute one.
    const event = await waitFor(() => events.find((e) => e.webhookId === w.ObjectUUID && e.objectVersion === 2));
    expect(event.webhook._ref).toBe(`${h.registry.baseUrl}/api/v2/webhook/${w.ObjectUUID}`);
  });

  it('takes back a webhook as GET showed it; a changed read-only field is a 400 naming it', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'round trip' })).body;
    const triggered = (
      await create({
        ...SEED_EXAMPLE,
        Name: 'round trip with triggers',
        ObjectTypes: undefined,
        Expressions: [],
        Triggers: [
          { ObjectType: 'Incident', Event: 'Deleted' },
          { ObjectType: 'Change', Event: 'Created' },
        ],
        Authentication: { Type: 'Basic', Username: 'u', Password: 'p4ss-word' },
        Headers: { 'X-Token': 'h3ader' },
      })
    ).body;
    for (const [id, prefix] of [
      [w.ObjectUUID, '/apps/pigeon/api/v2'],
      [triggered.ObjectUUID, '/api/v2'],
    ]) {
      const path = `${prefix}/webhook/${id}`;
      const read = (await h.request('GET', path, { key: keyA })).body;
      const back = await h.request('PATCH', path, { key: keyA, body: read });
      expect(back.status).toBe(200);
      const { _objectVersion: _v, LastUpdateDate: _d, ...same } = read;
      expect(back.body).toMatchObject(same);
      // Read under the other prefix, sent back here: its _ref still names this webhook.
      const other = (await h.request('GET', `/api/v2/webhook/${id}`, { key: keyA })).body;
      expect((await h.request('PATCH', path, { key: keyA, body: other })).status).toBe(200);
    }

    const path = `/api/v2/webhook/${w.ObjectUUID}`;
    const read = (await h.request('GET', path, { key: keyA })).body;
    const changed = await h.request('PATCH', path, {
      key: keyA,
      body: { ...read, ObjectUUID: '00000000-0000-4000-8000-000000000000', SubscriptionID: 7, Name: 'renamed' },
    });
    expect(changed.status).toBe(400);
    expect(changed.body.details.map((d: any) => d.field)).toEqual(['ObjectUUID', 'SubscriptionID']);
    expect(changed.body.details[0].reason).toMatch(/^ObjectUUID is read-only/);
    const stale = await h.request('PATCH', path, { key: keyA, body: { ...read, _objectVersion: 1 } });
    expect(stale.status).toBe(400);
    expect(stale.body.details).toEqual([{ field: '_objectVersion', reason: expect.stringMatching(/is read-only/) }]);
    expect((await h.request('GET', path, { key: keyA })).body.Name).toBe('round trip');
    // A create still refuses them outright.
    const copy = await create({ ...SEED_EXAMPLE, ObjectUUID: w.ObjectUUID });
    expect(copy.status).toBe(400);
    expect(copy.body.details).toEqual([{ field: 'ObjectUUID', reason: 'ObjectUUID is read-only' }]);
  });

  it('gives the matcher an absolute _ref, at the host the creating request reached, when PUBLIC_BASE_URL is unset', async () => {
    const w = (await create({ ...SEED_EXAMPLE, Name: 'absolute ref' })).body;
    const event = await waitFor(() => events.find((e) => e.webhookId === w.ObjectUUID));
    expect(event.webhook._ref).toBe(`${h.registry.baseUrl}/apps/pigeon/api/v2/webhook/${w.ObjectUUID}`);
    expect(event.webhook._ref).toBe(w._ref);
  });

  it('applies roles: read-only keys read, only admins manage keys, websocket needs an assigned shared space', async () => {
    const reader = await h.createKey(100, ['read-only']);
    const integration = await h.createKey(100, ['integration'], ['space-1']);
    expect((await h.request('GET', '/api/v2/webhook', { key: reader })).status).toBe(200);
    expect((await create(SEED_EXAMPLE, reader)).status).toBe(403);
    expect((await h.request('GET', '/api/v2/apikey', { key: integration })).status).toBe(403);
    // Any key may ask who it is.
    expect((await h.request('GET', '/api/v2/apikey/current', { key: integration })).body).toEqual({
      SubscriptionID: 100,
      KeyID: expect.any(String),
      Roles: ['integration'],
      SharedSpaces: ['space-1'],
      Operator: false,
    });
    // The operator's key says so: the console then lets it name the tenant of new keys and users.
    expect((await h.request('GET', '/api/v2/apikey/current', { key: ADMIN_KEY })).body.Operator).toBe(true);
    expect((await h.request('GET', '/api/v2/apikey/current')).status).toBe(401);
    expect(
      (
        await h.request('POST', '/api/v2/apikey', {
          key: keyA,
          body: { Name: 'x', Roles: ['admin'], SubscriptionID: 300 },
        })
      ).status,
    ).toBe(403);
    const ws = { ...SEED_EXAMPLE, CommunicationMethod: 'websocket' };
    expect((await create({ ...ws, SharedSpace: 'space-1' }, integration)).status).toBe(200);
    const elsewhere = await create({ ...ws, SharedSpace: 'space-2' }, integration);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.details).toEqual([{ field: 'SharedSpace', reason: expect.any(String) }]);
  });

  it('answers 413 for an oversized body and 400 for malformed JSON', async () => {
    const big = await create({
      ...SEED_EXAMPLE,
      Fields: ['x'.repeat(200)].concat(Array.from({ length: 2_000 }, (_, i) => `f${i}${'y'.repeat(150)}`)),
    });
    expect(big.status).toBe(413);
    const broken = await h.request('POST', '/api/v2/webhook', { key: keyA, rawBody: '{"Name":' });
    expect(broken.status).toBe(400);
  });
});
