/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { RegistryHarness } from '../../test/registry-harness';

const DEFINITIONS = '/api/rx/application/webhook/webhookdefinition';
const PAGE =
  '/api/rx/application/datapage?dataPageType=com.bmc.arsys.rx.application.webhook.datapage.webhookDefinitionDataPageQuery';
const AUTH = 'com.bmc.arsys.rx.services.webapi.domain.';

/** The seed's "Sample code for registration", with an authentication Hookline can sign in with. */
const seedDefinition = (name = 'Samplewebhook', authentication: Record<string, unknown> = basicAuth()) => ({
  name,
  event: {
    resourceType: 'com.bmc.arsys.rx.services.webhook.domain.webhookRecordEvent',
    recordDefinitionName: 'com.example.taskmanager:Task',
    condition: '${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$',
    recordEvents: ['create', 'update'],
  },
  includeAllFields: false,
  callback: {
    url: 'http://localhost:8008/api/com.example.taskmanager-lib/webhook/is/recordevent/',
    headers: { secret: 'abc' },
    payloadFieldIds: [2, 7, 8],
    authentication,
  },
});

const basicAuth = () => ({
  resourceType: `${AUTH}BasicAuthenticationType`,
  httpHeaders: [
    { key: 'X-Requested-By', value: 'XMLHttpRequest' },
    { key: 'Content-Type', value: 'application/json' },
  ],
  username: 'admin',
  credentials: 'password',
});

describe('BMC Helix webhook definition API (real MongoDB-wire server and NATS)', () => {
  let h: RegistryHarness;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    h = await RegistryHarness.start();
    admin = await h.createKey(300);
    reader = await h.createKey(300, ['integration']);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('registers the seed definition: 201 with Location, the same webhook under /api/v2, credentials masked', async () => {
    const reply = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition() });
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe(`${DEFINITIONS}/Samplewebhook`);
    expect(reply.body).toMatchObject({
      name: 'Samplewebhook',
      enabled: true,
      event: {
        recordDefinitionName: 'com.example.taskmanager:Task',
        condition: '${webhookContext.536870913} = "High" AND  ${webhookContext.4} = $NULL$',
        recordEvents: ['create', 'update'],
      },
      includeAllFields: false,
      callback: {
        url: 'http://localhost:8008/api/com.example.taskmanager-lib/webhook/is/recordevent/',
        payloadFieldIds: ['2', '7', '8'],
        authentication: { resourceType: `${AUTH}BasicAuthenticationType`, username: 'admin' },
      },
      signingSecret: expect.stringMatching(/^whsec_/),
    });
    // The auth headers join the callback's; Content-Type is Hookline's own (always JSON).
    expect(Object.keys(reply.body.callback.headers).sort()).toEqual(['X-Requested-By', 'secret']);
    expect(JSON.stringify(reply.body)).not.toMatch(/"abc"|XMLHttpRequest|"password"/);

    const webhook = (await h.request('GET', `/api/v2/webhook/${reply.body.id}`, { key: admin })).body;
    expect(webhook).toMatchObject({
      Name: 'Samplewebhook',
      ObjectTypes: ['com.example.taskmanager:Task'],
      Events: ['Created', 'Updated'],
      Fields: ['2', '7', '8'],
      IncludeAllFields: false,
      PayloadFormat: 'record',
      Authentication: { Type: 'Basic', Username: 'admin' },
    });

    const got = await h.request('GET', `${DEFINITIONS}/Samplewebhook`, { key: reader });
    expect(got.status).toBe(200);
    const { signingSecret: _secret, ...view } = reply.body;
    expect(got.body).toEqual(view);
  });

  it('refuses a taken name (409), bad fields in BMC terms (400) and unsupported sign-ins, storing nothing', async () => {
    await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition('Taken') });
    const taken = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition('Taken') });
    expect(taken.status).toBe(409);
    expect(taken.body.details).toEqual([{ field: 'name', reason: expect.stringMatching(/^is taken/) }]);

    const before = (await h.request('GET', PAGE, { key: admin })).body.totalSize;
    const bad = seedDefinition('Bad');
    bad.event.recordEvents = ['create', 'archive'];
    bad.event.condition = '${webhookContext.8} = ';
    bad.callback.url = 'ftp://example.com/hook';
    const refused = await h.request('POST', DEFINITIONS, { key: admin, body: bad });
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d: any) => d.field).sort()).toEqual([
      'callback.url',
      'event.condition',
      'event.recordEvents',
    ]);
    expect(refused.body.details.find((d: any) => d.field === 'callback.url').reason).toBe(
      'url must be an absolute http or https URL',
    );

    const native = await h.request('POST', DEFINITIONS, {
      key: admin,
      body: seedDefinition('Native', {
        resourceType: `${AUTH}NativeAuthenticationType`,
        username: 'a',
        credentials: 'b',
      }),
    });
    expect(native.status).toBe(400);
    expect(native.body.details).toEqual([
      {
        field: 'callback.authentication.resourceType',
        reason: expect.stringMatching(/^NativeAuthenticationType is not supported/),
      },
    ]);
    const noSecret = await h.request('POST', DEFINITIONS, {
      key: admin,
      body: seedDefinition('NoSecret', { resourceType: `${AUTH}OAuth2ClientCredentials`, username: 'client' }),
    });
    expect(noSecret.body.details).toEqual([
      { field: 'callback.authentication.tokenPath', reason: 'tokenPath is required with OAuth2ClientCredentials' },
      { field: 'callback.authentication.credentials', reason: 'credentials is required with OAuth2ClientCredentials' },
    ]);
    const writesByReader = await h.request('POST', DEFINITIONS, { key: reader, body: seedDefinition('Reader') });
    expect(writesByReader.status).toBe(403);
    expect((await h.request('GET', PAGE, { key: admin })).body.totalSize).toBe(before);
  });

  it('maps OAuth2 client credentials, with a token path relative to the auth server', async () => {
    const reply = await h.request('POST', DEFINITIONS, {
      key: admin,
      body: seedDefinition('OAuth', {
        resourceType: `${AUTH}OAuth2ClientCredentials`,
        username: 'client-1',
        credentials: 's3cret',
        authServerEndpoint: 'https://sso.example.com',
        tokenPath: '/oauth/token',
        tokenFetchMechanism: 0,
      }),
    });
    expect(reply.status).toBe(201);
    const webhook = (await h.request('GET', `/api/v2/webhook/${reply.body.id}`, { key: admin })).body;
    expect(webhook.Authentication).toMatchObject({
      Type: 'OAuth2ClientCredentials',
      TokenUrl: 'https://sso.example.com/oauth/token',
      ClientId: 'client-1',
    });
    expect(JSON.stringify(webhook)).not.toContain('s3cret');
  });

  it('enables and disables by name, filters the data page, and deregisters', async () => {
    for (const name of ['Page-A', 'Page-B', 'Page-C']) {
      const body = seedDefinition(name);
      if (name === 'Page-C') body.event.recordEvents = ['delete'];
      expect((await h.request('POST', DEFINITIONS, { key: admin, body })).status).toBe(201);
    }
    const disabled = await h.request('PUT', `${DEFINITIONS}/Page-B`, { key: admin, body: { enabled: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    expect((await h.request('GET', `${DEFINITIONS}/Page-B`, { key: admin })).body.enabled).toBe(false);
    const extra = await h.request('PUT', `${DEFINITIONS}/Page-B`, { key: admin, body: { enabled: true, name: 'x' } });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toEqual([{ field: 'name', reason: expect.stringMatching(/should not exist/) }]);

    const names = async (query: string) => {
      const reply = await h.request('GET', `${PAGE}&name=Page-A,Page-B,Page-C${query}`, { key: admin });
      expect(reply.status).toBe(200);
      return reply.body.data.map((d: any) => d.name).sort();
    };
    expect(await names('')).toEqual(['Page-A', 'Page-B', 'Page-C']);
    expect(await names('&isEnabled=false')).toEqual(['Page-B']);
    expect(await names('&recordEvent=delete')).toEqual(['Page-C']);
    expect(await names('&recordDefinitionName=com.example.taskmanager:Task&isEnabled=true')).toEqual([
      'Page-A',
      'Page-C',
    ]);
    const paged = await h.request('GET', `${PAGE}&name=Page-A,Page-B,Page-C&pageSize=1&startIndex=2`, { key: admin });
    expect(paged.body.totalSize).toBe(3);
    expect(paged.body.data).toHaveLength(1);
    const wrongType = await h.request('GET', '/api/rx/application/datapage?dataPageType=other', { key: admin });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.details[0].field).toBe('dataPageType');

    expect((await h.request('DELETE', `${DEFINITIONS}/Page-A`, { key: admin })).status).toBe(204);
    expect((await h.request('GET', `${DEFINITIONS}/Page-A`, { key: admin })).status).toBe(404);
    expect((await h.request('DELETE', `${DEFINITIONS}/Page-A`, { key: admin })).status).toBe(404);
    expect(await names('')).toEqual(['Page-B', 'Page-C']);
  });
});
