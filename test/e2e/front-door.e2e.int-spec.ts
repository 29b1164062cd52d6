/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies, checked field by field */
import { createHooklineClient } from '@hookline/client';
import { waitFor } from '@hookline/testing';
import { E2eStack } from './e2e-stack';

/** The one origin as a new user meets it: every call below goes to the front door, never a service port. */
describe('the front door: one origin for the whole API', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await E2eStack.start();
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('creates a webhook, sends a change and shows the attempt, all on one URL with absolute refs', async () => {
    const key = await e2e.admin.createKey(4242);
    const api = e2e.public(key);

    const created = await api.request('POST', '/api/v2/webhook', {
      AppName: 'front door',
      AppUrl: 'www.example.com',
      Name: 'through the front door',
      TargetUrl: e2e.receiver.url('/front-door'),
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Priority', Operator: '=', Value: 'High' }],
    });
    expect(created.status).toBe(200);
    expect(created.body._ref).toBe(`${e2e.stack.publicUrl}/api/v2/webhook/${created.body.ObjectUUID}`);
    await e2e.indexed(1);

    const accepted = await api.request('POST', '/api/v2/changes', {
      action: 'Created',
      object_type: 'Defect',
      object_id: 'd-1',
      after: { Name: 'Broken login', Priority: 'High' },
    });
    expect(accepted.status).toBe(202);
    await waitFor(() => e2e.receiver.at('/front-door').length === 1, 20_000);

    const attempts = await waitFor(async () => {
      const reply = await api.request('GET', `/api/v2/webhook/${created.body.ObjectUUID}/attempts`);
      return reply.body.TotalResultCount === 1 && reply.body;
    }, 15_000);
    expect(attempts.Results[0]).toMatchObject({ Status: 200 });

    // The _ref the API gave is itself reachable on the one origin.
    const fetched = await fetch(created.body._ref, { headers: { authorization: `Bearer ${key}` } });
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as any).Name).toBe('through the front door');
  });

  it('is driven by the generated client: typed bodies in, typed answers and errors out', async () => {
    const client = createHooklineClient({ baseUrl: e2e.stack.publicUrl, token: await e2e.admin.createKey(4343) });
    const created = await client.POST('/api/v2/webhook', {
      body: {
        AppName: 'client',
        AppUrl: 'www.example.com',
        Name: 'made by @hookline/client',
        TargetUrl: 'https://receiver.example.com/hook',
        Events: ['Created'],
      },
    });
    expect(created.response.status).toBe(200);
    const id = created.data!.ObjectUUID;
    const fetched = await client.GET('/api/v2/webhook/{id}', { params: { path: { id } } });
    expect(fetched.data).toMatchObject({ Name: 'made by @hookline/client', Events: ['Created'] });

    const missing = await client.GET('/api/v2/webhook/{id}', { params: { path: { id: 'no-such-webhook' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ error: 'NOT_FOUND', details: [] });
  });

  it('routes each area to its service: match, breakers, blocklist, sessions, pipelines', async () => {
    const admin = e2e.admin;
    expect((await admin.request('GET', '/api/v2/index')).body).toMatchObject({ total: expect.any(Number) });
    expect((await admin.request('GET', '/api/v2/breakers')).status).toBe(200);
    expect((await admin.request('GET', '/api/v2/blocklist')).status).toBe(200);
    expect((await admin.request('GET', '/api/v2/sessions')).status).toBe(200);
    expect((await admin.request('GET', '/pipelines')).status).toBe(200);
  });

  it('serves the merged OpenAPI document at /openapi.json and its reference at /docs', async () => {
    const document = await e2e.public().request('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.info.title).toBe('Hookline API');
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/api/v2/webhook', '/api/v2/changes', '/pipelines', '/api/v2/sessions']),
    );
    const docs = await fetch(`${e2e.stack.publicUrl}/docs/`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${e2e.stack.publicUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  });

  it('keeps / for the console and answers an unknown API path with the JSON error body', async () => {
    const page = await fetch(`${e2e.stack.publicUrl}/webhooks/some/console/route`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');

    const missing = await e2e.public().request('GET', '/api/v2/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'NOT_FOUND', message: expect.any(String), details: [] });
  });

  it('answers 502 in the error shape while a service is down, and serves again once it is back', async () => {
    await e2e.stack.stopService('dispatcher');
    const down = await e2e.admin.request('GET', '/api/v2/breakers');
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({ error: 'UNAVAILABLE', message: expect.any(String), details: [] });
    await e2e.stack.startService('dispatcher');
    expect((await e2e.admin.request('GET', '/api/v2/breakers')).status).toBe(200);
  });
});
