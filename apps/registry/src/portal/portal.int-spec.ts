/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { PORTAL_LINK_RETENTION_DAYS } from '@hookline/auth';
import { buildIndexes, detectCapabilities, sweepExpired } from '@hookline/service-kit';
import { ADMIN_KEY, RegistryHarness, SEED_EXAMPLE } from '../../test/registry-harness';

describe('Portal links: one tenant, one scope, checked on every request', () => {
  let h: RegistryHarness;
  let adminA: string;
  let adminB: string;
  let webhookA: string;
  let webhookB: string;

  beforeAll(async () => {
    h = await RegistryHarness.start();
    adminA = await h.createKey(510);
    adminB = await h.createKey(520);
    webhookA = (await h.request('POST', '/api/v2/webhook', { key: adminA, body: { ...SEED_EXAMPLE, Name: 'A' } })).body
      .ObjectUUID;
    webhookB = (await h.request('POST', '/api/v2/webhook', { key: adminB, body: { ...SEED_EXAMPLE, Name: 'B' } })).body
      .ObjectUUID;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const makeLink = (key: string, body: Record<string, unknown>) =>
    h.request('POST', '/api/v2/portal-links', { key, body: { DisplayName: 'Tenant A', ...body } });

  it('answers the link once with its token and URL, and lists it without them', async () => {
    const made = await makeLink(adminA, {
      Scope: 'read-only',
      LogoURL: 'https://example.com/logo.png',
      AccentColor: '#0B7285',
      ExpiresInHours: 2,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      SubscriptionID: 510,
      Scope: 'read-only',
      Branding: { DisplayName: 'Tenant A', LogoURL: 'https://example.com/logo.png', AccentColor: '#0b7285' },
      Revoked: false,
    });
    expect(made.body.URL).toBe(`${h.registry.baseUrl}/portal#token=${made.body.Token}`);
    expect(made.body.Token).toMatch(/^hlp_/);
    const hours = (Date.parse(made.body.ExpiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);

    const listed = (await h.request('GET', '/api/v2/portal-links', { key: adminA })).body.Results;
    expect(listed).toEqual([expect.objectContaining({ LinkID: made.body.LinkID })]);
    expect(listed[0]).not.toHaveProperty('Token');
    expect((await h.request('GET', '/api/v2/portal-links', { key: adminB })).body.Results).toEqual([]);
    // Only the hash is stored.
    const stored = await h.registry.app.get<Connection>(getConnectionToken()).collection('portal_links').findOne({});
    expect(JSON.stringify(stored)).not.toContain(made.body.Token);

    const portal = await h.request('GET', '/api/v2/portal', { key: made.body.Token });
    expect(portal.status).toBe(200);
    expect(portal.body).toMatchObject({
      SubscriptionID: 510,
      Scope: 'read-only',
      Branding: { DisplayName: 'Tenant A' },
    });
  });

  it('refuses bad branding with the field and reason', async () => {
    const bad = await makeLink(adminA, { Scope: 'everything', LogoURL: 'javascript:alert(1)', AccentColor: 'teal' });
    expect(bad.status).toBe(400);
    const fields = (bad.body.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['AccentColor', 'LogoURL', 'Scope']);
  });

  it('keeps links to admins, and to their own tenant unless the bootstrap key', async () => {
    const reader = await h.createKey(510, ['read-only']);
    expect((await makeLink(reader, { Scope: 'read-only' })).status).toBe(403);
    expect((await makeLink(adminA, { Scope: 'read-only', SubscriptionID: 520 })).status).toBe(403);
    expect((await makeLink(ADMIN_KEY, { Scope: 'read-only', SubscriptionID: 520 })).body.SubscriptionID).toBe(520);
  });

  it("a read-only link reads its tenant's webhooks, sees no other tenant's, and writes nothing", async () => {
    const token = (await makeLink(adminA, { Scope: 'read-only' })).body.Token;
    const list = await h.request('GET', '/api/v2/webhook', { key: token });
    expect(list.status).toBe(200);
    expect(list.body.Results.map((w: any) => w.ObjectUUID)).toEqual([webhookA]);
    expect((await h.request('GET', `/api/v2/webhook/${webhookA}`, { key: token })).status).toBe(200);
    expect((await h.request('GET', `/api/v2/webhook/${webhookA}/attempts`, { key: token })).status).toBe(200);
    expect((await h.request('GET', `/api/v2/webhook/${webhookA}/failed`, { key: token })).status).toBe(200);
    expect((await h.request('GET', `/api/v2/webhook/${webhookB}`, { key: token })).status).toBe(404);
    expect((await h.request('GET', `/api/v2/webhook/${webhookB}/attempts`, { key: token })).status).toBe(404);

    const write = await h.request('PATCH', `/api/v2/webhook/${webhookA}`, { key: token, body: { Disabled: true } });
    expect(write.status).toBe(403);
    expect(write.body.message).toBe('This portal link is read-only');
    expect((await h.request('POST', '/api/v2/webhook', { key: token, body: SEED_EXAMPLE })).status).toBe(403);
    expect((await h.request('DELETE', `/api/v2/webhook/${webhookA}`, { key: token })).status).toBe(403);
    expect((await h.request('POST', `/api/v2/webhook/${webhookA}/failed/x/replay`, { key: token })).status).toBe(403);
  });

  it('a manage-webhooks link changes its own webhooks but nothing outside the portal', async () => {
    const token = (await makeLink(adminA, { Scope: 'manage-webhooks' })).body.Token;
    const renamed = await h.request('PATCH', `/api/v2/webhook/${webhookA}`, { key: token, body: { Name: 'A2' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.Name).toBe('A2');
    expect((await h.request('PATCH', `/api/v2/webhook/${webhookB}`, { key: token, body: { Name: 'x' } })).status).toBe(
      404,
    );
    expect((await h.request('DELETE', `/api/v2/webhook/${webhookB}`, { key: token })).status).toBe(404);
    const created = await h.request('POST', '/api/v2/webhook', { key: token, body: { ...SEED_EXAMPLE, Name: 'A3' } });
    expect(created.status).toBe(200);
    expect(created.body.SubscriptionID).toBe(510);
    // Pages outside the portal: API keys, users, overview, other links.
    for (const path of ['/api/v2/apikey', '/api/v2/users', '/api/v2/portal-links', '/api/v2/overview']) {
      expect([path, (await h.request('GET', path, { key: token })).status]).toEqual([path, 403]);
    }
    expect((await h.request('DELETE', `/api/v2/webhook/${created.body.ObjectUUID}`, { key: token })).status).toBe(204);
  });

  it('a revoked or expired link answers 401 at its next request', async () => {
    const made = (await makeLink(adminA, { Scope: 'read-only' })).body;
    expect((await h.request('GET', '/api/v2/portal', { key: made.Token })).status).toBe(200);
    expect((await h.request('DELETE', `/api/v2/portal-links/${made.LinkID}`, { key: adminB })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v2/portal-links/${made.LinkID}`, { key: adminA })).status).toBe(204);
    expect((await h.request('GET', '/api/v2/portal', { key: made.Token })).status).toBe(401);
    expect(await h.request('GET', '/api/v2/webhook', { key: made.Token })).toMatchObject({
      status: 401,
      body: { message: 'This portal link was revoked' },
    });
    expect((await h.request('DELETE', `/api/v2/portal-links/${made.LinkID}`, { key: adminA })).status).toBe(404);
    const listed = (await h.request('GET', '/api/v2/portal-links', { key: adminA })).body.Results;
    expect(listed.find((l: any) => l.LinkID === made.LinkID)).toMatchObject({ Revoked: true });

    const expiring = (await makeLink(adminA, { Scope: 'read-only' })).body;
    await h.registry.app
      .get<Connection>(getConnectionToken())
      .collection('portal_links')
      .updateOne({ linkId: expiring.LinkID }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await h.request('GET', '/api/v2/webhook', { key: expiring.Token })).toMatchObject({
      status: 401,
      body: { message: expect.stringMatching(/^This portal link expired at \d{4}-/) },
    });
  });

  it('lists an expired link as expired, and deletes it a week after its expiry', async () => {
    const links = h.registry.app.get<Connection>(getConnectionToken()).collection('portal_links');
    const recent = (await makeLink(adminA, { Scope: 'read-only' })).body;
    const old = (await makeLink(adminA, { Scope: 'read-only' })).body;
    await links.updateOne({ linkId: recent.LinkID }, { $set: { expiresAt: new Date(Date.now() - 86_400_000) } });
    await links.updateOne({ linkId: old.LinkID }, { $set: { expiresAt: new Date(Date.now() - 8 * 86_400_000) } });

    // The TTL index deletes it; a server without TTL indexes gets the same rule from the sweep.
    const connection = h.registry.app.get<Connection>(getConnectionToken());
    const can = await detectCapabilities(connection.db!);
    if (can.ttlIndexes) {
      const ttl = (await links.indexes()).find((index) => index.key.expiresAt === 1);
      expect(ttl?.expireAfterSeconds).toBe(PORTAL_LINK_RETENTION_DAYS * 86_400);
    } else {
      const { unexpired } = await buildIndexes(connection, can);
      expect(await sweepExpired(unexpired.filter((rule) => rule.collection.collectionName === 'portal_links'))).toBe(1);
      const listed = (await h.request('GET', '/api/v2/portal-links', { key: adminA })).body.Results;
      expect(listed.find((l: any) => l.LinkID === recent.LinkID)).toMatchObject({ Revoked: false });
      expect(listed.find((l: any) => l.LinkID === old.LinkID)).toBeUndefined();
      expect(await h.request('GET', '/api/v2/webhook', { key: old.Token })).toMatchObject({
        status: 401,
        body: { message: 'This portal link does not exist (expired links are deleted after 7 days)' },
      });
    }
  });

  it('answers 404 for the portal of a caller without a link', async () => {
    expect((await h.request('GET', '/api/v2/portal', { key: adminA })).status).toBe(404);
  });
});
