/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field with expect */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startApp, type RunningApp } from '@hookline/testing';
import { CHANGE_INGEST_APP } from '../../apps/change-ingest/src/change-ingest.app';
import { DISPATCHER_APP } from '../../apps/dispatcher/src/dispatcher.app';
import { INCOMING_HOOKS_APP } from '../../apps/incoming-hooks/src/incoming-hooks.app';
import { MATCHER_APP } from '../../apps/matcher/src/matcher.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness } from '../../apps/registry/test/registry-harness';
import { TUNNEL_GATEWAY_APP } from '../../apps/tunnel-gateway/src/tunnel-gateway.app';

/**
 * Issue 24, "input that must never break the edge": every shape of bad body, sent through the real
 * HTTP stack of all six services, gets a 4xx `{ error, message, details }` naming the field and the
 * reason; never a 500 or a hang; and what was stored before is unchanged.
 */

interface Answer {
  status: number;
  body: any;
}

/** One request with any method, body bytes and Content-Type (fetch refuses bodies on GET). */
function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; contentType?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        timeout: 20_000,
        headers: {
          ...(options.key && { authorization: `Bearer ${options.key}` }),
          ...(options.contentType && { 'content-type': options.contentType }),
          ...(body && { 'content-length': String(body.length) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 20 s`)));
    // A server answering 413 may close before the whole body is written; the answer is what counts.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? undefined : reject(err)));
    req.end(body);
  });
}

const json = 'application/json';

/** Bad shapes of body that no endpoint may take, with the answer each must get. */
const SHAPES: Array<{
  name: string;
  contentType?: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  status: number;
  field: RegExp;
}> = [
  {
    name: 'an unknown Content-Encoding',
    contentType: json,
    headers: { 'content-encoding': 'x-unknown' },
    body: '{"Name":"x"}',
    status: 415,
    field: /^Content-Encoding$/,
  },
  {
    name: 'gzip that is not gzip',
    contentType: json,
    headers: { 'content-encoding': 'gzip' },
    body: '{"Name":"x"}',
    status: 400,
    field: /^body$/,
  },
  {
    name: 'JSON labelled text/plain',
    contentType: 'text/plain',
    body: '{"Name":"x"}',
    status: 415,
    field: /^Content-Type$/,
  },
  {
    name: 'a url-encoded form',
    contentType: 'application/x-www-form-urlencoded',
    body: 'Name=x&Disabled=true',
    status: 415,
    field: /^Content-Type$/,
  },
  { name: 'a body without a Content-Type', body: '{"Name":"x"}', status: 415, field: /^Content-Type$/ },
  {
    name: 'JSON in another charset',
    contentType: 'application/json; charset=iso-8859-1',
    body: '{"Name":"x"}',
    status: 415,
    field: /^Content-Type$/,
  },
  {
    name: 'bytes that are not UTF-8',
    contentType: json,
    body: Buffer.concat([Buffer.from('{"Name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    status: 400,
    field: /^body$/,
  },
  { name: 'a lone surrogate', contentType: json, body: '{"Name":"a\\ud800b"}', status: 400, field: /^Name$/ },
  {
    name: 'nesting 100,000 deep',
    contentType: json,
    body: `{"Name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    status: 400,
    field: /^Name(\[0\])+$/,
  },
  { name: 'NUL in a member name', contentType: json, body: '{"Na\\u0000me":1}', status: 400, field: /^Na\\u0000me$/ },
  { name: 'malformed JSON', contentType: json, body: '{"Name":', status: 400, field: /^body$/ },
  { name: 'a bare string', contentType: json, body: '"hello"', status: 400, field: /^body$/ },
  {
    name: 'a body larger than any limit',
    contentType: json,
    body: `{"Name":"${'x'.repeat(6 * 1024 * 1024)}"}`,
    status: 413,
    field: /^body$/,
  },
];

describe('hostile input at the edge of every service', () => {
  let h: RegistryHarness;
  const apps: Record<string, RunningApp> = {};
  let key: string;
  let webhook: any;
  let pipelineId: string;
  let hook: any;
  /** Every body-taking endpoint (and a GET or two, whose bodies are refused just the same). */
  let endpoints: Array<{ service: string; method: string; path: string; key: string }>;

  const url = (service: string) => (service === 'registry' ? h.registry.baseUrl : apps[service].baseUrl);

  beforeAll(async () => {
    // The registry with the dispatcher's default (strict) policy: HTTPS to public addresses only.
    h = await RegistryHarness.start({
      WEBHOOK_ALLOW_HTTP: 'false',
      WEBHOOK_HTTP_PORTS: '80',
      WEBHOOK_ALLOWED_CIDRS: '',
    });
    const env = { NATS_URL: h.infra.natsUrl, MONGO_URL: h.infra.mongoUrl };
    apps['change-ingest'] = await startApp(CHANGE_INGEST_APP, env);
    apps.matcher = await startApp(MATCHER_APP, { ...env, HOOKLINE_ADMIN_KEY: ADMIN_KEY });
    apps.dispatcher = await startApp(DISPATCHER_APP, { ...env, HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY });
    apps['incoming-hooks'] = await startApp(INCOMING_HOOKS_APP, { ...env, HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY });
    apps['tunnel-gateway'] = await startApp(TUNNEL_GATEWAY_APP, env);
    key = await h.createKey(4242);

    const created = await h.request('POST', '/api/v2/webhook', {
      key,
      body: {
        AppName: 'edge',
        AppUrl: 'https://edge.example',
        Name: 'stored before',
        TargetUrl: 'https://receiver.example/hook',
        Events: ['Created'],
        Security: 'shared-secret',
        Headers: { 'X-Team': 'ops' },
      },
    });
    expect(created.status).toBe(200);
    webhook = created.body;
    const bmc = await h.request('POST', '/api/rx/application/webhook/webhookdefinition', {
      key,
      body: {
        name: 'edge-definition',
        event: { recordDefinitionName: 'com.example:Task', recordEvents: ['create'] },
        callback: { url: 'https://receiver.example/bmc' },
      },
    });
    expect(bmc.status).toBe(201);

    const pipeline = await send(url('incoming-hooks'), 'POST', '/pipelines', {
      key,
      contentType: json,
      body: JSON.stringify({ name: 'Deploy shop' }),
    });
    expect(pipeline.status).toBeLessThan(300);
    pipelineId = pipeline.body.id;
    const madeHook = await send(url('incoming-hooks'), 'POST', `/pipelines/${pipelineId}/hooks/incoming`, {
      key,
      contentType: json,
      body: JSON.stringify({
        name: 'edge hook',
        requires_secret: true,
        secret_algorithm: 'sha256',
        secret_header_name: 'x-hub-signature-256',
        action_type: 'deploy',
        settings: { variables: [{ name: 'ref', path: 'ref', type: 'string', required: false }] },
      }),
    });
    expect(madeHook.status).toBeLessThan(300);
    hook = madeHook.body;

    endpoints = [
      { service: 'registry', method: 'POST', path: '/api/v2/webhook', key },
      { service: 'registry', method: 'PATCH', path: `/api/v2/webhook/${webhook.ObjectUUID}`, key },
      { service: 'registry', method: 'POST', path: '/apps/pigeon/api/v2/webhook', key },
      // Takes no body: one that slipped through would rotate the secret and bump the version.
      { service: 'registry', method: 'POST', path: `/api/v2/webhook/${webhook.ObjectUUID}/signing-secret`, key },
      { service: 'registry', method: 'POST', path: '/api/v2/apikey', key: ADMIN_KEY },
      { service: 'registry', method: 'POST', path: '/api/rx/application/webhook/webhookdefinition', key },
      {
        service: 'registry',
        method: 'PUT',
        path: '/api/rx/application/webhook/webhookdefinition/edge-definition',
        key,
      },
      { service: 'change-ingest', method: 'POST', path: '/api/v2/changes', key },
      { service: 'matcher', method: 'POST', path: '/api/v2/match', key: ADMIN_KEY },
      { service: 'dispatcher', method: 'GET', path: '/api/v2/breakers', key: ADMIN_KEY },
      { service: 'dispatcher', method: 'DELETE', path: '/api/v2/blocklist/https%3A%2F%2Fx.example', key: ADMIN_KEY },
      { service: 'incoming-hooks', method: 'POST', path: '/pipelines', key },
      { service: 'incoming-hooks', method: 'POST', path: `/pipelines/${pipelineId}/hooks/incoming`, key },
      { service: 'incoming-hooks', method: 'PATCH', path: `/pipelines/${pipelineId}/hooks/${hook.id}`, key },
      { service: 'incoming-hooks', method: 'POST', path: `/pipelines/${pipelineId}/runs/${randomUUID()}/state`, key },
      { service: 'tunnel-gateway', method: 'GET', path: '/api/v2/sessions', key: ADMIN_KEY },
    ];
  }, 120_000);

  afterAll(async () => {
    for (const app of Object.values(apps)) await app.close();
    await h?.stop();
  });

  it('answers every bad shape of body on every endpoint with a 4xx naming the field, never a 500', async () => {
    const wrong: string[] = [];
    for (const endpoint of endpoints) {
      for (const shape of SHAPES) {
        const answer = await send(url(endpoint.service), endpoint.method, endpoint.path, {
          key: endpoint.key,
          contentType: shape.contentType,
          headers: shape.headers,
          body: shape.body,
        });
        const fields = (answer.body?.details ?? []).map((d: { field: string }) => d.field);
        const ok =
          answer.status === shape.status &&
          typeof answer.body?.error === 'string' &&
          typeof answer.body?.message === 'string' &&
          fields.some((f: string) => shape.field.test(f)) &&
          answer.body.details.every((d: { reason: unknown }) => typeof d.reason === 'string' && d.reason !== '');
        if (!ok)
          wrong.push(
            `${endpoint.service} ${endpoint.method} ${endpoint.path} with ${shape.name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it.each([
    ['registry', 'PATCH', 'webhook', '{"Name":"x","__proto__":{"Disabled":true}}'],
    [
      'registry',
      'POST',
      '/api/v2/webhook',
      '{"Name":{"$ne":null},"Expressions":[{"AttributeName":"a","Operator":"=","Value":{"$gt":1}}]}',
    ],
    ['registry', 'PATCH', 'webhook', '{"Headers":{"$where":"1","a.b":"c"},"ObjectTypes":[{"$ne":1}]}'],
    ['registry', 'POST', '/api/v2/apikey', '{"Name":"k","Roles":[{"$ne":1}],"SubscriptionID":1e400}'],
    ['incoming-hooks', 'POST', '/pipelines', '{"name":{"$ne":null}}'],
    [
      'incoming-hooks',
      'POST',
      'hooks',
      '{"name":"h","action_type":"deploy","settings":{"variables":[{"name":"v","type":"string","default_value":{"$gt":1,"a.b":2}}]}}',
    ],
    ['incoming-hooks', 'PATCH', 'hook', '{"name":"x\u0000","rate_limit_per_minute":1e400}'],
    [
      'change-ingest',
      'POST',
      '/api/v2/changes',
      '{"action":"Created","object_type":"Defect","object_id":"o","after":{"$where":"1","a.b":{"$gt":1}}}',
    ],
    ['matcher', 'POST', '/api/v2/match', '{"message_id":{"$ne":1},"state":[],"changes":"x"}'],
  ])(
    'answers %s %s %s with a body MongoDB would misread with a 2xx or 4xx, never a 500',
    async (service, method, target, body) => {
      const path =
        target === 'webhook'
          ? `/api/v2/webhook/${webhook.ObjectUUID}`
          : target === 'hooks'
            ? `/pipelines/${pipelineId}/hooks/incoming`
            : target === 'hook'
              ? `/pipelines/${pipelineId}/hooks/${hook.id}`
              : target;
      const answer = await send(url(service), method, path, {
        key: service === 'matcher' || target === '/api/v2/apikey' ? ADMIN_KEY : key,
        contentType: json,
        body,
      });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: expect.any(Number),
        body: expect.anything(),
      });
      expect(answer.status).toBeLessThan(500);
      if (method === 'PATCH' || answer.status >= 400) expect(answer.status).toBeGreaterThanOrEqual(400);
    },
  );

  it('answers a path that does not decode with a 400 naming the path', async () => {
    const answer = await send(h.registry.baseUrl, 'GET', '/api/v2/webhook/%E0%A4%A', { key });
    expect(answer).toMatchObject({ status: 400, body: { details: [{ field: 'path' }] } });
  });

  it('refuses a changed Content-Type instead of ignoring the body while the version is bumped', async () => {
    const patched = await send(h.registry.baseUrl, 'PATCH', `/api/v2/webhook/${webhook.ObjectUUID}`, {
      key,
      contentType: 'application/x-www-form-urlencoded',
      body: 'Disabled=true',
    });
    expect(patched.status).toBe(415);
    expect(patched.body).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', details: [{ field: 'Content-Type' }] });
  });

  const webhookCases: Array<[string, Record<string, unknown>, number, string, RegExp]> = [
    ['Security with a line break', { Security: 'a\r\nX-Evil: 1' }, 400, 'Security', /printable ASCII/],
    ['a header value with NUL', { Headers: { 'X-Team': 'a\u0000b' } }, 400, 'Headers', /Headers\.X-Team/],
    [
      'a Basic username with a colon',
      { Authentication: { Type: 'Basic', Username: 'a:b', Password: 'p' } },
      400,
      'Authentication.Username',
      /colon/,
    ],
    [
      'a password with a control character',
      { Authentication: { Type: 'Basic', Username: 'u', Password: 'p\u0007' } },
      400,
      'Authentication.Password',
      /control characters/,
    ],
    [
      'a token that is not ASCII',
      { Authentication: { Type: 'Token', Scheme: 'Bearer', Token: 'tök' } },
      400,
      'Authentication.Token',
      /U\+00F6/,
    ],
    [
      'user info in TargetUrl',
      { TargetUrl: 'https://user:pass@receiver.example/hook' },
      400,
      'TargetUrl',
      /Authentication/,
    ],
    [
      'plain HTTP while it is off',
      { TargetUrl: 'http://receiver.example/hook' },
      422,
      'TargetUrl',
      /WEBHOOK_ALLOW_HTTP/,
    ],
    ['a private address', { TargetUrl: 'https://10.1.2.3/hook' }, 422, 'TargetUrl', /WEBHOOK_ALLOWED_CIDRS/],
    ['the unspecified address', { TargetUrl: 'https://[::]/hook' }, 422, 'TargetUrl', /unspecified/],
    ['cloud metadata', { TargetUrl: 'https://169.254.169.254/latest' }, 422, 'TargetUrl', /metadata/],
    [
      'a name resolving only to loopback',
      { TargetUrl: 'https://localhost/hook' },
      422,
      'TargetUrl',
      /resolves only to .*loopback.*WEBHOOK_ALLOWED_CIDRS/,
    ],
  ];

  it.each(webhookCases)(
    'refuses %s at create and PATCH, naming the field',
    async (_name, fields, status, field, reason) => {
      const base = {
        AppName: 'a',
        AppUrl: 'https://a.example',
        Name: 'n',
        TargetUrl: 'https://receiver.example/x',
        Events: ['Created'],
      };
      for (const [method, path, body] of [
        ['POST', '/api/v2/webhook', { ...base, ...fields }],
        ['PATCH', `/api/v2/webhook/${webhook.ObjectUUID}`, fields],
      ] as const) {
        const answer = await h.request(method, path, { key, body });
        expect({ method, status: answer.status }).toEqual({ method, status });
        expect(answer.body.details).toEqual(expect.arrayContaining([{ field, reason: expect.stringMatching(reason) }]));
      }
    },
  );

  it.each([
    ['plain HTTP in callback.url', { url: 'http://receiver.example/bmc' }, 422, 'callback.url', /WEBHOOK_ALLOW_HTTP/],
    ['user info in callback.url', { url: 'https://u:p@receiver.example/bmc' }, 400, 'callback.url', /user info/],
    [
      'a callback header with a line break',
      { url: 'https://receiver.example/bmc', headers: { 'X-A': 'a\r\nb' } },
      400,
      'callback.headers',
      /X-A value must hold only printable ASCII/,
    ],
    [
      'a Basic username with a colon',
      {
        url: 'https://receiver.example/bmc',
        authentication: {
          resourceType: 'com.bmc.arsys.rx.services.webapi.domain.BasicAuthenticationType',
          username: 'a:b',
          credentials: 'p',
        },
      },
      400,
      'callback.authentication.username',
      /colon/,
    ],
  ] as const)('refuses %s in a BMC registration, in BMC names', async (_name, callback, status, field, reason) => {
    const answer = await h.request('POST', '/api/rx/application/webhook/webhookdefinition', {
      key,
      body: {
        name: `bad-${randomBytes(4).toString('hex')}`,
        event: { recordDefinitionName: 'com.example:Task', recordEvents: ['create'] },
        callback,
      },
    });
    expect(answer.status).toBe(status);
    expect(answer.body.details).toEqual(expect.arrayContaining([{ field, reason: expect.stringMatching(reason) }]));
  });

  it.each([
    ['an unknown top-level field', { stat: {} }, 'stat', /not a field of Rally's change message/],
    ['an object_id over 256 characters', { object_id: 'x'.repeat(257) }, 'object_id', /at most 256/],
    ['a message_id with a line break', { message_id: 'm\r\n1' }, 'message_id', /printable ASCII/],
    [
      'state nested deeper than the limit',
      { state: { Name: { value: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) } } },
      'state.Name.value',
      /deeper than the limit of 32/,
    ],
  ] as const)('change-ingest refuses %s with a 400 naming it', async (_name, extra, field, reason) => {
    const change = {
      message_id: 'm-1',
      action: 'Created',
      object_id: 'o-1',
      object_type: 'Defect',
      state: {},
      ...extra,
    };
    const answer = await send(url('change-ingest'), 'POST', '/api/v2/changes', {
      key,
      contentType: json,
      body: JSON.stringify(change),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual(
      expect.arrayContaining([
        { field: expect.stringMatching(new RegExp(`^${field}`)), reason: expect.stringMatching(reason) },
      ]),
    );
  });

  it('checks a signed hook call like any other body, after the signature', async () => {
    const token = new URL(hook.url).pathname;
    const call = (body: Buffer | string, contentType = 'application/json') => {
      const signature = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
      return send(url('incoming-hooks'), 'POST', token, {
        contentType,
        body,
        headers: { 'x-hub-signature-256': signature },
      });
    };
    expect((await call(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).body).toMatchObject({
      details: [{ field: 'body', reason: 'is not valid UTF-8' }],
    });
    const deep = await call(`{"ref":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.details[0].field).toMatch(/^ref(\[0\])+$/);
    const surrogate = await call('{"ref":"\\udfff"}');
    expect(surrogate).toMatchObject({ status: 400, body: { details: [{ field: 'ref' }] } });
    // The signed bytes are what count, whatever the sender calls them.
    expect((await call('{"ref":"main"}', 'text/plain')).status).toBe(202);
  });

  it('left what was stored before unchanged', async () => {
    const stored = await h.request('GET', `/api/v2/webhook/${webhook.ObjectUUID}`, { key });
    expect(stored.body).toMatchObject({
      _objectVersion: webhook._objectVersion,
      Name: 'stored before',
      TargetUrl: 'https://receiver.example/hook',
      Disabled: false,
    });
    expect(stored.body.LastUpdateDate).toBe(webhook.LastUpdateDate);
    const listed = await h.request('GET', '/api/v2/webhook', { key });
    expect(listed.body.TotalResultCount).toBe(2);
    const definition = await h.request('GET', '/api/rx/application/webhook/webhookdefinition/edge-definition', { key });
    expect(definition.status).toBe(200);
    const hooks = await send(url('incoming-hooks'), 'GET', `/pipelines/${pipelineId}/hooks/${hook.id}`, { key });
    expect(hooks.body).toMatchObject({ name: 'edge hook' });
    const pipelines = await send(url('incoming-hooks'), 'GET', '/pipelines', { key });
    expect(JSON.stringify(pipelines.body)).not.toMatch(/"name":"x"/);
  });
});
