/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, checked field by field with expect */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ADMIN_KEY, RegistryHarness } from '../../test/registry-harness';
import { BOOTSTRAP_KEY_ID } from './apikey.service';

describe('API keys: the bootstrap admin key across subscriptions, and what the list shows', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await RegistryHarness.start();
  });

  afterAll(async () => {
    await h?.stop();
  });

  const keys = () => h.registry.app.get<Connection>(getConnectionToken()).collection('api_keys');
  const create = (key: string, body: Record<string, unknown>) => h.request('POST', '/api/v2/apikey', { key, body });
  const list = async (key: string): Promise<any[]> => (await h.request('GET', '/api/v2/apikey', { key })).body.Results;

  it('lists the live bootstrap key as live, with every field', async () => {
    const mine = (await list(ADMIN_KEY)).find((k) => k.KeyID === BOOTSTRAP_KEY_ID);
    expect(mine).toEqual(
      expect.objectContaining({ SubscriptionID: 100, Revoked: false, SharedSpaces: [], CreatedBy: null }),
    );
    expect(await keys().findOne({ _id: BOOTSTRAP_KEY_ID as never })).toMatchObject({ revokedAt: null });
  });

  it('never shows a live key stored without revokedAt (as older registries stored the bootstrap key) as revoked', async () => {
    const made = await create(ADMIN_KEY, { Name: 'stored short', Roles: ['read-only'] });
    await keys().updateOne({ _id: made.body.KeyID }, { $unset: { revokedAt: '', createdBy: '', sharedSpaces: '' } });
    expect((await h.request('GET', '/api/v2/webhook', { key: made.body.Key })).status).toBe(200);
    expect((await list(ADMIN_KEY)).find((k) => k.KeyID === made.body.KeyID)).toMatchObject({
      Revoked: false,
      SharedSpaces: [],
      CreatedBy: null,
    });
  });

  it('revokes the keys the bootstrap key issued for another subscription, which then stop working', async () => {
    const issued = await create(ADMIN_KEY, { Name: 'for 200', Roles: ['admin'], SubscriptionID: 200 });
    expect(issued.status).toBe(200);
    // The tenant's own admin key made another key there: not the bootstrap key's to revoke.
    const tenants = await create(issued.body.Key, { Name: 'made by 200', Roles: ['read-only'] });
    expect((await list(ADMIN_KEY)).find((k) => k.KeyID === issued.body.KeyID)).toMatchObject({
      SubscriptionID: 200,
      Revoked: false,
    });
    expect((await list(ADMIN_KEY)).map((k) => k.KeyID)).not.toContain(tenants.body.KeyID);

    const notices = h.collect('apikeys.*.*.revoked');
    expect((await h.request('DELETE', `/api/v2/apikey/${tenants.body.KeyID}`, { key: ADMIN_KEY })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v2/apikey/${issued.body.KeyID}`, { key: ADMIN_KEY })).status).toBe(204);
    expect((await h.request('GET', '/api/v2/webhook', { key: issued.body.Key })).status).toBe(401);
    expect((await list(ADMIN_KEY)).find((k) => k.KeyID === issued.body.KeyID)).toMatchObject({ Revoked: true });
    // Gateways are told the key's own tenant, so they close its tunnels.
    await h.nats.connection.flush();
    expect(notices).toEqual([expect.objectContaining({ tenant: '200', keyId: issued.body.KeyID })]);
    expect((await h.request('DELETE', `/api/v2/apikey/${issued.body.KeyID}`, { key: ADMIN_KEY })).status).toBe(404);
  });

  it("keeps a tenant admin to its own subscription's keys", async () => {
    const a = await create(ADMIN_KEY, { Name: 'admin of 300', Roles: ['admin'], SubscriptionID: 300 });
    const b = await create(ADMIN_KEY, { Name: 'key of 400', Roles: ['read-only'], SubscriptionID: 400 });
    expect((await h.request('DELETE', `/api/v2/apikey/${b.body.KeyID}`, { key: a.body.Key })).status).toBe(404);
    expect((await list(a.body.Key)).map((k) => k.SubscriptionID)).toEqual([300]);
  });
});
