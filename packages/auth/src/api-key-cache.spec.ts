import { ApiKeyCache } from './api-key-cache';
import type { Principal } from './principal';

const principal = (keyId: string): Principal => ({ subscriptionId: 1, keyId, roles: ['admin'], sharedSpaces: [] });

describe('API key cache', () => {
  let clock = 0;
  const cache = (ttlMs = 1_000, maxEntries = 100) => new ApiKeyCache({ ttlMs, maxEntries, now: () => clock });
  const counting = (answer: Principal | null) => jest.fn(() => Promise.resolve(answer));

  beforeEach(() => {
    clock = 0;
  });

  it('asks the store once for a known key, then answers from memory until the entry expires', async () => {
    const c = cache();
    const lookup = counting(principal('k1'));
    expect(await c.resolve('h1', lookup)).toEqual(principal('k1'));
    expect(await c.resolve('h1', lookup)).toEqual(principal('k1'));
    expect(lookup).toHaveBeenCalledTimes(1);
    clock = 1_000;
    await c.resolve('h1', lookup);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('never keeps an unknown key, so a key created later works at once', async () => {
    const c = cache();
    expect(await c.resolve('h1', counting(null))).toBeNull();
    expect(await c.resolve('h1', counting(principal('k1')))).toEqual(principal('k1'));
    expect(c.size).toBe(1);
  });

  it('forgets every hash of a revoked key id and keeps the others', async () => {
    const c = cache();
    await c.resolve('h1', counting(principal('k1')));
    await c.resolve('h2', counting(principal('k2')));
    c.forgetKey('k1');
    const again = counting(null);
    expect(await c.resolve('h1', again)).toBeNull();
    expect(again).toHaveBeenCalledTimes(1);
    expect(await c.resolve('h2', counting(null))).toEqual(principal('k2'));
  });

  it('does not store a lookup that was under way when a key was forgotten', async () => {
    const c = cache();
    let finish!: (p: Principal) => void;
    const pending = c.resolve('h1', () => new Promise<Principal>((resolve) => (finish = resolve)));
    c.forgetKey('k1');
    finish(principal('k1'));
    expect(await pending).toEqual(principal('k1'));
    expect(c.size).toBe(0);
  });

  it('stores nothing while disabled, and starts empty when enabled again', async () => {
    const c = cache();
    await c.resolve('h1', counting(principal('k1')));
    c.reset(false);
    await c.resolve('h2', counting(principal('k2')));
    expect(c.size).toBe(0);
    c.reset(true);
    await c.resolve('h2', counting(principal('k2')));
    expect(c.size).toBe(1);
  });

  it('drops the oldest entry when full', async () => {
    const c = cache(1_000, 2);
    await c.resolve('h1', counting(principal('k1')));
    await c.resolve('h2', counting(principal('k2')));
    await c.resolve('h3', counting(principal('k3')));
    expect(c.size).toBe(2);
    const lookup = counting(principal('k1'));
    await c.resolve('h1', lookup);
    expect(lookup).toHaveBeenCalledTimes(1);
  });
});
