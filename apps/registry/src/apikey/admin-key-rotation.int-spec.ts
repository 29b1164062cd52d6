import { randomBytes } from 'node:crypto';
import { startApp, startTestInfra, type RunningApp, type TestInfra } from '@hookline/testing';
import { ENCRYPTION_KEY } from '../../test/registry-harness';
import { REGISTRY_APP } from '../registry.app';

const adminKey = (): string => `hk_admin_${randomBytes(16).toString('hex')}`;

/**
 * Rotating the operator's key: registries on one database, as `./hookline up --instances
 * registry=2` runs them. A start with a new HOOKLINE_ADMIN_KEY replaces the bootstrap key for all.
 */
describe('bootstrap admin key rotation', () => {
  let infra: TestInfra;
  const apps: RunningApp[] = [];

  const registry = async (key: string): Promise<RunningApp> => {
    const app = await startApp(REGISTRY_APP, {
      NATS_URL: infra.natsUrl,
      MONGO_URL: infra.mongoUrl,
      HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      HOOKLINE_ADMIN_KEY: key,
    });
    apps.push(app);
    return app;
  };
  const statusOf = async (app: RunningApp, key: string): Promise<number> =>
    (await fetch(`${app.baseUrl}/api/v2/apikey`, { headers: { authorization: `Bearer ${key}` } })).status;

  beforeAll(async () => {
    infra = await startTestInfra();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await infra?.stop();
  });

  it('a changed HOOKLINE_ADMIN_KEY replaces the old one at once on every instance', async () => {
    const oldKey = adminKey();
    const first = await registry(oldKey);
    const second = await registry(oldKey);
    expect([await statusOf(first, oldKey), await statusOf(second, oldKey)]).toEqual([200, 200]);

    const newKey = adminKey();
    const restarted = await registry(newKey);
    expect({
      newKey: [await statusOf(first, newKey), await statusOf(second, newKey), await statusOf(restarted, newKey)],
      oldKey: [await statusOf(first, oldKey), await statusOf(second, oldKey), await statusOf(restarted, oldKey)],
    }).toEqual({ newKey: [200, 200, 200], oldKey: [401, 401, 401] });
  });

  it('a start with the same value keeps a revoked key revoked; a new value is a new key', async () => {
    const key = adminKey();
    const app = await registry(key);
    const list = await fetch(`${app.baseUrl}/api/v2/apikey`, { headers: { authorization: `Bearer ${key}` } });
    const { Results } = (await list.json()) as { Results: { KeyID: string; Name: string }[] };
    const bootstrap = Results.find((k) => k.Name.startsWith('bootstrap admin'));
    const revoked = await fetch(`${app.baseUrl}/api/v2/apikey/${bootstrap?.KeyID}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.status).toBe(204);

    const again = await registry(key);
    expect(await statusOf(again, key)).toBe(401);
    const fresh = adminKey();
    const rotated = await registry(fresh);
    expect([await statusOf(rotated, fresh), await statusOf(app, fresh), await statusOf(rotated, key)]).toEqual([
      200, 200, 401,
    ]);
  });
});
