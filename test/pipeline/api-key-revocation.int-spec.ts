import { startApp, type RunningApp } from '@hookline/testing';
import { INCOMING_HOOKS_APP } from '../../apps/incoming-hooks/src/incoming-hooks.app';
import { REGISTRY_APP } from '../../apps/registry/src/registry.app';
import { ADMIN_KEY, ENCRYPTION_KEY, RegistryHarness } from '../../apps/registry/test/registry-harness';

/**
 * Services keep recently used API keys in memory; a revocation made on one registry instance must
 * still stop the key at once on every instance of every service that has it cached.
 */
describe('API key revocation across instances', () => {
  let h: RegistryHarness;
  let second: RunningApp;
  let hooks: RunningApp;

  beforeAll(async () => {
    h = await RegistryHarness.start({ HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY });
    second = await startApp(REGISTRY_APP, {
      NATS_URL: h.infra.natsUrl,
      MONGO_URL: h.infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    });
    hooks = await startApp(INCOMING_HOOKS_APP, {
      NATS_URL: h.infra.natsUrl,
      MONGO_URL: h.infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    });
  });

  afterAll(async () => {
    await hooks?.close();
    await second?.close();
    await h?.stop();
  });

  const statusAt = async (baseUrl: string, path: string, key: string): Promise<number> =>
    (await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('stops a key everywhere as soon as the revocation answers, though every service had it cached', async () => {
    const key = await h.createKey(700);
    const keyId = (await h.request('GET', '/api/v2/apikey', { key })).body.Results[0].KeyID as string;
    for (let i = 0; i < 3; i++) {
      expect(await statusAt(h.registry.baseUrl, '/api/v2/webhook', key)).toBe(200);
      expect(await statusAt(second.baseUrl, '/api/v2/webhook', key)).toBe(200);
      expect(await statusAt(hooks.baseUrl, '/pipelines', key)).toBe(200);
    }

    expect((await h.request('DELETE', `/api/v2/apikey/${keyId}`, { key: ADMIN_KEY })).status).toBe(204);

    expect(await statusAt(hooks.baseUrl, '/pipelines', key)).toBe(401);
    expect(await statusAt(second.baseUrl, '/api/v2/webhook', key)).toBe(401);
    expect(await statusAt(h.registry.baseUrl, '/api/v2/webhook', key)).toBe(401);
  });

  it('keeps other keys of the tenant working after one is revoked', async () => {
    const kept = await h.createKey(701);
    const revoked = await h.createKey(701);
    const ids = (await h.request('GET', '/api/v2/apikey', { key: kept })).body.Results as {
      KeyID: string;
      Hint: string;
    }[];
    const revokedId = ids.find((k) => revoked.startsWith(k.Hint) && !kept.startsWith(k.Hint))?.KeyID;
    expect(revokedId).toBeDefined();
    expect(await statusAt(hooks.baseUrl, '/pipelines', kept)).toBe(200);
    expect(await statusAt(hooks.baseUrl, '/pipelines', revoked)).toBe(200);

    expect((await h.request('DELETE', `/api/v2/apikey/${revokedId}`, { key: kept })).status).toBe(204);

    expect(await statusAt(hooks.baseUrl, '/pipelines', revoked)).toBe(401);
    expect(await statusAt(hooks.baseUrl, '/pipelines', kept)).toBe(200);
  });
});
