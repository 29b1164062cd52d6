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

/** The authentication of the seed's "Sample code for registration", as given there. */
const nativeAuth = () => ({
  resourceType: `${AUTH}NativeAuthenticationType`,
  httpHeaders: [
    { key: 'X-Requested-By', value: 'XMLHttpRequest' },
    { key: 'Content-Type', value: 'application/json' },
  ],
  username: 'admin',
  credentials: 'Password',
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
        // As registered: the seed's numbers stay numbers.
        payloadFieldIds: [2, 7, 8],
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
      Fields: [2, 7, 8],
      IncludeAllFields: false,
      PayloadFormat: 'record',
      Dialect: 'bmc',
      Authentication: { Type: 'Basic', Username: 'admin' },
    });

    const got = await h.request('GET', `${DEFINITIONS}/Samplewebhook`, { key: reader });
    expect(got.status).toBe(200);
    const { signingSecret: _secret, ...view } = reply.body;
    expect(got.body).toEqual(view);
  });

  it('refuses a taken name (409), bad fields in BMC terms (400) and incomplete sign-ins, storing nothing', async () => {
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

    const badLogin = await h.request('POST', DEFINITIONS, {
      key: admin,
      body: seedDefinition('BadLogin', { ...nativeAuth(), loginPath: 'ftp://bmc.example.com/login' }),
    });
    expect(badLogin.status).toBe(400);
    expect(badLogin.body.details).toEqual([
      {
        field: 'callback.authentication.loginPath',
        reason: 'loginPath must be an absolute http(s) URL, or a path with callback.url an absolute http(s) URL',
      },
    ]);
    const rssoHalf = await h.request('POST', DEFINITIONS, {
      key: admin,
      body: seedDefinition('RssoHalf', { resourceType: `${AUTH}RSSOAuthenticationType`, loginName: 'jonnie' }),
    });
    expect(rssoHalf.status).toBe(400);
    expect(rssoHalf.body.details).toEqual(
      ['credentials', 'tokenPath'].map((name) => ({
        field: `callback.authentication.${name}`,
        reason: `${name} is required with RSSOAuthenticationType unless accessToken is given`,
      })),
    );
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

  it('maps OAuth2 client credentials, with a token path relative to the auth server and the tokenFetchMechanism', async () => {
    const oauth = (tokenFetchMechanism: unknown) => ({
      resourceType: `${AUTH}OAuth2ClientCredentials`,
      username: 'client-1',
      credentials: 's3cret',
      authServerEndpoint: 'https://sso.example.com',
      tokenPath: '/oauth/token',
      tokenFetchMechanism,
    });
    const reply = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition('OAuth', oauth(0)) });
    expect(reply.status).toBe(201);
    expect(reply.body.callback.authentication).toEqual({
      resourceType: `${AUTH}OAuth2ClientCredentials`,
      username: 'client-1',
      tokenPath: 'https://sso.example.com/oauth/token',
      tokenFetchMechanism: 0,
    });
    const webhook = (await h.request('GET', `/api/v2/webhook/${reply.body.id}`, { key: admin })).body;
    expect(webhook.Authentication).toMatchObject({
      Type: 'OAuth2ClientCredentials',
      TokenUrl: 'https://sso.example.com/oauth/token',
      ClientId: 'client-1',
      ClientAuthMethod: 'client_secret_basic',
    });
    expect(JSON.stringify(webhook)).not.toContain('s3cret');

    const formPost = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition('OAuthForm', oauth(1)) });
    expect(formPost.status).toBe(201);
    const got = await h.request('GET', `${DEFINITIONS}/OAuthForm`, { key: reader });
    expect(got.body.callback.authentication).toMatchObject({ tokenFetchMechanism: 1 });
    const formWebhook = (await h.request('GET', `/api/v2/webhook/${formPost.body.id}`, { key: admin })).body;
    expect(formWebhook.Authentication.ClientAuthMethod).toBe('client_secret_post');

    const refused = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition('OAuthBad', oauth(2)) });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      {
        field: 'callback.authentication.tokenFetchMechanism',
        reason: 'tokenFetchMechanism must be 0 (basic auth) or 1 (form post)',
      },
    ]);
    expect((await h.request('GET', `${DEFINITIONS}/OAuthBad`, { key: admin })).status).toBe(404);
  });

  it("registers the seed's sample with its Native sign-in, and the Remedy and RSSO sign-ins, secrets never shown", async () => {
    const definitions: [string, Record<string, unknown>][] = [
      ['SeedNative', nativeAuth()],
      [
        'RemedyLogin',
        // The seed's Remedy sample gives both; the credentials win, as they can sign in again.
        {
          resourceType: `${AUTH}RemedyAuthenticationType`,
          username: 'admin',
          credentials: 'password',
          loginPath: 'https://ar.example.com/api/jwt/login',
          accessToken: 'token-value',
        },
      ],
      ['RemedyToken', { resourceType: `${AUTH}RemedyAuthenticationType`, accessToken: 'token-value' }],
      [
        'RssoLogin',
        {
          resourceType: `${AUTH}RSSOAuthenticationType`,
          loginName: 'jonnie@petramco.com',
          credentials: 'password',
          authServerEndpoint: 'https://sso.example.com',
          tokenPath: '/rsso/oauth2/token',
        },
      ],
      ['RssoToken', { resourceType: `${AUTH}RSSOAuthenticationType`, accessToken: 'token-value' }],
    ];
    const views: Record<string, any> = {};
    const webhooks: Record<string, any> = {};
    for (const [name, authentication] of definitions) {
      const reply = await h.request('POST', DEFINITIONS, { key: admin, body: seedDefinition(name, authentication) });
      expect(reply.status).toBe(201);
      views[name] = reply.body.callback.authentication;
      webhooks[name] = (await h.request('GET', `/api/v2/webhook/${reply.body.id}`, { key: admin })).body;
      expect(JSON.stringify([reply.body, webhooks[name]])).not.toMatch(/:"Password"|:"password"|token-value/);
    }
    // Native signs in at the BMC server, the callback's origin, where no loginPath is given.
    expect(views.SeedNative).toEqual({
      resourceType: `${AUTH}NativeAuthenticationType`,
      username: 'admin',
      loginPath: 'http://localhost:8008/api/rx/authentication/loginrequest',
    });
    expect(webhooks.SeedNative.Authentication).toEqual({
      Type: 'SignIn',
      Flow: 'InnovationSuite',
      SignInUrl: 'http://localhost:8008/api/rx/authentication/loginrequest',
      Username: 'admin',
      Password: expect.stringMatching(/\*/),
    });
    expect(webhooks.RemedyLogin.Authentication).toMatchObject({
      Type: 'SignIn',
      Flow: 'RemedyJwt',
      SignInUrl: 'https://ar.example.com/api/jwt/login',
    });
    expect(webhooks.RemedyToken.Authentication).toEqual({ Type: 'Token', Scheme: 'AR-JWT', Token: expect.any(String) });
    expect(views.RemedyToken).toEqual({ resourceType: `${AUTH}RemedyAuthenticationType` });
    expect(views.RssoLogin).toEqual({
      resourceType: `${AUTH}RSSOAuthenticationType`,
      loginName: 'jonnie@petramco.com',
      tokenPath: 'https://sso.example.com/rsso/oauth2/token',
    });
    expect(webhooks.RssoLogin.Authentication).toMatchObject({ Type: 'SignIn', Flow: 'OAuth2Password' });
    expect(webhooks.RssoToken.Authentication).toMatchObject({ Type: 'Token', Scheme: 'Bearer' });
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
