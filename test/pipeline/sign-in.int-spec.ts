/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { startApp, type RunningApp } from '@hookline/testing';
import { INCOMING_HOOKS_APP } from '../../apps/incoming-hooks/src/incoming-hooks.app';
import { REGISTRY_APP } from '../../apps/registry/src/registry.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness } from '../../apps/registry/test/registry-harness';

const PASSWORD = 'correct horse battery staple';
const SHORT_TTL_S = 6;
/** Small limits; a week-long window, so that a window's edge all but never falls inside a test. */
const LIMITS = {
  LOGIN_MAX_FAILURES_PER_EMAIL: '3',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '12',
  LOGIN_FAILURE_WINDOW_S: String(7 * 24 * 3600),
  HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
};

/** Users and sign-in through HTTP: the registry signs in, incoming-hooks (another service) accepts the token. */
describe('users and sign-in', () => {
  let h: RegistryHarness;
  let hooks: RunningApp;
  let second: RunningApp;
  let tenantAdmin: string;

  beforeAll(async () => {
    h = await RegistryHarness.start(LIMITS);
    // A second registry instance on the same database, whose tokens live a few seconds.
    second = await startApp(REGISTRY_APP, {
      NATS_URL: h.infra.natsUrl,
      MONGO_URL: h.infra.mongoUrl,
      ...LIMITS,
      USER_TOKEN_TTL_S: String(SHORT_TTL_S),
    });
    hooks = await startApp(INCOMING_HOOKS_APP, {
      NATS_URL: h.infra.natsUrl,
      MONGO_URL: h.infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    });
    tenantAdmin = await h.createKey(300);
  });

  afterAll(async () => {
    await hooks?.close();
    await second?.close();
    await h?.stop();
  });

  /** incoming-hooks' Devopness API, as a Bearer token. */
  async function incoming(method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(`${hooks.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  const createUser = (email: string, roles: string[] = ['admin'], key = tenantAdmin) =>
    h.request('POST', '/api/v2/users', { key, body: { Email: email, Password: PASSWORD, Roles: roles } });

  const login = (email: string, password = PASSWORD) =>
    h.request('POST', '/users/login', { body: { email, password } });

  /** Signs in and answers the access token. */
  async function tokenOf(email: string): Promise<string> {
    const reply = await login(email);
    expect(reply.status).toBe(200);
    return reply.body.access_token as string;
  }

  it('lets an admin create, list and disable users, and never shows a password or its hash', async () => {
    const created = await createUser('Ada@Example.com');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      Email: 'ada@example.com',
      Roles: ['admin'],
      SubscriptionID: 300,
      Disabled: false,
    });
    const listed = await h.request('GET', '/api/v2/users', { key: tenantAdmin });
    expect(listed.body.Results.map((u: any) => u.Email)).toEqual(['ada@example.com']);
    for (const body of [created.body, listed.body]) {
      expect(JSON.stringify(body)).not.toContain(PASSWORD);
      expect(JSON.stringify(body)).not.toContain('scrypt');
    }
    // Another tenant sees none of them.
    expect((await h.request('GET', '/api/v2/users', { key: await h.createKey(301) })).body.Results).toEqual([]);
  });

  it('refuses bad input naming the field, a taken email, and callers that are not admins', async () => {
    const bad = await h.request('POST', '/api/v2/users', {
      key: tenantAdmin,
      body: { Email: 'not-an-email', Password: 'short', Roles: ['root'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('VALIDATION_FAILED');
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['Email', 'Password', 'Roles']);
    expect(JSON.stringify(bad.body)).not.toContain('short');

    const taken = await createUser('ADA@example.com ');
    expect(taken).toMatchObject({ status: 409, body: { error: 'CONFLICT', details: [{ field: 'Email' }] } });
    expect((await createUser('ro@example.com', ['admin'], await h.createKey(300, ['read-only']))).status).toBe(403);
    const elsewhere = await h.request('POST', '/api/v2/users', {
      key: tenantAdmin,
      body: { Email: 'x@example.com', Password: PASSWORD, Roles: ['admin'], SubscriptionID: 999 },
    });
    expect(elsewhere.status).toBe(403);
    expect((await h.request('POST', '/api/v2/users', { body: {} })).status).toBe(401);
  });

  it('signs in as Devopness answers, and the token works on every service with the user’s tenant and roles', async () => {
    const reply = await login('ada@example.com');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      access_token: expect.stringMatching(/^hlu_/),
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(reply.headers['cache-control']).toBe('no-store');
    const token = reply.body.access_token as string;

    expect((await h.request('GET', '/api/v2/webhook', { key: token })).status).toBe(200);
    expect((await h.request('GET', '/api/v2/users', { cookie: token })).status).toBe(200);
    const pipeline = await incoming('POST', '/pipelines', token, { name: 'Deploy shop' });
    expect(pipeline.status).toBe(201);
    // Made in the user's subscription: that tenant's API key sees it.
    const seen = await incoming('GET', '/pipelines', tenantAdmin);
    expect(seen.body.map((p: any) => p.id)).toContain(pipeline.body.id);
    // An API key the user makes records who made it.
    const key = await h.request('POST', '/api/v2/apikey', { key: token, body: { Name: 'ci', Roles: ['integration'] } });
    expect(key.status).toBe(200);
    expect(key.body.CreatedBy).toMatch(/^user:/);

    await createUser('reader@example.com', ['read-only']);
    const reader = await tokenOf('reader@example.com');
    expect((await incoming('GET', '/pipelines', reader)).status).toBe(200);
    expect(await incoming('POST', '/pipelines', reader, { name: 'nope' })).toMatchObject({
      status: 403,
      body: { error: 'FORBIDDEN' },
    });
  });

  it('answers a wrong or unknown login 401 and malformed ones 400, naming the field', async () => {
    for (const attempt of [login('ada@example.com', 'wrong password!'), login('nobody@example.com')]) {
      const reply = await attempt;
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: 'UNAUTHENTICATED', message: 'Invalid email or password', details: [] });
    }
    const missing = await h.request('POST', '/users/login', { body: { email: 'ada@example.com' } });
    expect(missing).toMatchObject({ status: 400, body: { details: [{ field: 'password' }] } });
    const typed = await h.request('POST', '/users/login', { body: { email: 42, password: ['x'] } });
    expect(typed.status).toBe(400);
    expect(typed.body.details.map((d: any) => d.field).sort()).toEqual(['email', 'password']);
    for (const rawBody of ['{"email":', '[]', '"ada@example.com"', 'null', '42']) {
      const reply = await h.request('POST', '/users/login', { rawBody });
      expect([reply.status, reply.body.error]).toEqual([400, expect.any(String)]);
    }
    expect(
      (await h.request('POST', '/users/login', { body: { email: 'a@b.co', password: 'p', extra: 1 } })).status,
    ).toBe(400);
  });

  it('stops accepting a token on every service once it expires', async () => {
    const reply = await fetch(`${second.baseUrl}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    const { access_token: token, expires_in: expiresIn } = (await reply.json()) as Record<string, any>;
    expect(expiresIn).toBe(SHORT_TTL_S);
    expect((await incoming('GET', '/pipelines', token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, SHORT_TTL_S * 1000 + 200));
    expect((await h.request('GET', '/api/v2/webhook', { key: token })).status).toBe(401);
    expect((await incoming('GET', '/pipelines', token)).status).toBe(401);
  });

  it('revokes the token at logout, on every service at once', async () => {
    const token = await tokenOf('ada@example.com');
    const other = await tokenOf('ada@example.com');
    expect((await incoming('GET', '/pipelines', token)).status).toBe(200);
    expect((await h.request('POST', '/users/logout', { key: token })).status).toBe(204);
    expect((await h.request('GET', '/api/v2/webhook', { key: token })).status).toBe(401);
    expect((await incoming('GET', '/pipelines', token)).status).toBe(401);
    // Only that session ended.
    expect((await incoming('GET', '/pipelines', other)).status).toBe(200);
    expect((await h.request('POST', '/users/logout', { key: tenantAdmin })).status).toBe(422);
  });

  it('changes a user’s roles: its tokens stop working, and the next sign-in carries the new roles', async () => {
    const created = await createUser('mover@example.com', ['admin']);
    const before = await tokenOf('mover@example.com');
    const path = `/api/v2/users/${created.body.UserID}`;
    const changed = await h.request('PATCH', path, { key: tenantAdmin, body: { Roles: ['read-only'] } });
    expect(changed).toMatchObject({ status: 200, body: { Email: 'mover@example.com', Roles: ['read-only'] } });
    expect((await h.request('GET', '/api/v2/webhook', { key: before })).status).toBe(401);
    const after = await tokenOf('mover@example.com');
    expect((await h.request('GET', '/api/v2/webhook', { key: after })).status).toBe(200);
    expect((await h.request('GET', '/api/v2/users', { key: after })).status).toBe(403);

    const bad = await h.request('PATCH', path, { key: tenantAdmin, body: { Roles: ['root'] } });
    expect(bad).toMatchObject({ status: 400, body: { details: [{ field: 'Roles' }] } });
    expect((await h.request('PATCH', path, { key: ADMIN_KEY, body: { Roles: ['admin'] } })).status).toBe(404);
    expect((await h.request('PATCH', path, { key: after, body: { Roles: ['admin'] } })).status).toBe(403);
  });

  it('disabling a user revokes all its tokens at once and refuses its logins', async () => {
    const created = await createUser('leaver@example.com');
    const tokens = [await tokenOf('leaver@example.com'), await tokenOf('leaver@example.com')];
    for (const token of tokens) expect((await incoming('GET', '/pipelines', token)).status).toBe(200);
    expect((await h.request('DELETE', `/api/v2/users/${created.body.UserID}`, { key: tenantAdmin })).status).toBe(204);
    for (const token of tokens) {
      expect((await h.request('GET', '/api/v2/webhook', { key: token })).status).toBe(401);
      expect((await incoming('GET', '/pipelines', token)).status).toBe(401);
    }
    expect((await login('leaver@example.com')).status).toBe(401);
    const listed = await h.request('GET', '/api/v2/users', { key: tenantAdmin });
    expect(listed.body.Results.find((u: any) => u.Email === 'leaver@example.com').Disabled).toBe(true);
    // Another tenant's admin cannot disable it.
    expect((await h.request('DELETE', `/api/v2/users/${created.body.UserID}`, { key: ADMIN_KEY })).status).toBe(404);
  });

  it('adds a user with ./hookline user add, the password read from stdin', async () => {
    const run = (args: string[], input: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        const child = execFile(
          resolve(__dirname, '../../hookline'),
          ['user', ...args],
          { env: { ...process.env, HOOKLINE_REGISTRY_URL: h.registry.baseUrl, HOOKLINE_ADMIN_KEY: ADMIN_KEY } },
          (err, stdout, stderr) => done({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
        child.stdin?.end(input);
      });
    const added = await run(
      ['add', 'cli@example.com', '--roles', 'read-only', '--subscription', '300'],
      `${PASSWORD}\n`,
    );
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('cli@example.com') });
    expect(added.stdout).not.toContain(PASSWORD);
    const token = await tokenOf('cli@example.com');
    expect((await incoming('POST', '/pipelines', token, { name: 'read-only' })).status).toBe(403);

    const refused = await run(['add', 'short@example.com'], 'short\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Password must be a string of 12 to 256 characters');
    expect((await run(['add'], '')).code).toBe(2);
  }, 60_000);

  it('limits failed logins per email: 429 with Retry-After, even for the right password', async () => {
    await createUser('target@example.com');
    for (let i = 0; i < 3; i++) expect((await login('target@example.com', `guess number ${i}`)).status).toBe(401);
    const limited = await login('target@example.com');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(7 * 24 * 3600);
    // Other emails from this address still sign in.
    expect((await login('reader@example.com')).status).toBe(200);
  });

  it('limits failed logins per client address across emails, on every registry instance', async () => {
    // An address of its own (the registries believe X-Forwarded-For from loopback), so no earlier
    // test's failures count here.
    const loginAt = (base: string, email: string) =>
      fetch(`${base}/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.77' },
        body: JSON.stringify({ email, password: 'password guess' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 30 && !statuses.includes(429); i++) {
      const base = i % 2 === 0 ? h.registry.baseUrl : second.baseUrl;
      statuses.push((await loginAt(base, `spray${i}@example.com`)).status);
    }
    // The limit (12) shared by both instances refuses the 13th; counted per instance, the 13th
    // would have been only the 7th on its instance.
    expect(statuses).toEqual([...Array<number>(12).fill(401), 429]);
    const limited = await loginAt(second.baseUrl, 'reader@example.com');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
