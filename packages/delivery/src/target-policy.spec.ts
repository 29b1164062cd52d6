import { parseCidrList } from './ssrf';
import { cachingResolve, undeliverableTarget, type DeliveryPolicy } from './target-policy';

const strict: DeliveryPolicy = { http: { allowHttp: false, allowedHttpPorts: [80] }, allowedCidrs: [] };
const open: DeliveryPolicy = {
  http: { allowHttp: true, allowedHttpPorts: [80] },
  allowedCidrs: parseCidrList('127.0.0.0/8'),
};
const answers =
  (table: Record<string, string[]>) =>
  (hostname: string): Promise<{ address: string; family: number }[]> =>
    table[hostname]
      ? Promise.resolve(table[hostname].map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
      : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
const resolve = answers({
  'inside.example': ['10.1.2.3', 'fd00::1'],
  'mixed.example': ['10.1.2.3', '93.184.216.34'],
  'meta.example': ['169.254.169.254'],
  'loop.example': ['127.0.0.1', '::1'],
});

describe('undeliverableTarget', () => {
  it('names WEBHOOK_ALLOW_HTTP for plain HTTP while it is off, WEBHOOK_HTTP_PORTS for a port it may not use', async () => {
    expect(await undeliverableTarget('http://93.184.216.34/hook', strict, { resolve })).toEqual({
      setting: 'WEBHOOK_ALLOW_HTTP',
      reason: expect.stringMatching(/plain HTTP is disabled/),
    });
    expect((await undeliverableTarget('http://93.184.216.34:8080/', open, { resolve }))?.setting).toBe(
      'WEBHOOK_HTTP_PORTS',
    );
    expect(await undeliverableTarget('https://93.184.216.34/', strict, { resolve })).toBeUndefined();
  });

  it('refuses literal private, loopback and unspecified addresses outside WEBHOOK_ALLOWED_CIDRS', async () => {
    for (const url of ['https://10.0.0.1/', 'https://[::]/', 'https://0.0.0.0/', 'https://[::ffff:192.168.1.1]/']) {
      expect(await undeliverableTarget(url, strict, { resolve })).toEqual({
        setting: 'WEBHOOK_ALLOWED_CIDRS',
        reason: expect.stringMatching(/outside WEBHOOK_ALLOWED_CIDRS/),
      });
    }
    expect(await undeliverableTarget('http://127.0.0.1/', open, { resolve })).toBeUndefined();
    expect((await undeliverableTarget('https://169.254.169.254/', open, { resolve }))?.reason).toMatch(/metadata/);
  });

  it('refuses a name that resolves only to refused addresses; passes one with an allowed address or no answer', async () => {
    expect(await undeliverableTarget('https://inside.example/', strict, { resolve })).toEqual({
      setting: 'WEBHOOK_ALLOWED_CIDRS',
      reason:
        'inside.example resolves only to 10.1.2.3 (private), fd00::1 (unique-local), which are not public and outside WEBHOOK_ALLOWED_CIDRS',
    });
    expect(await undeliverableTarget('https://meta.example/', open, { resolve })).toMatchObject({
      reason: expect.stringMatching(/metadata/),
    });
    expect(await undeliverableTarget('https://mixed.example/', strict, { resolve })).toBeUndefined();
    expect(await undeliverableTarget('https://loop.example/', open, { resolve })).toBeUndefined();
    expect(await undeliverableTarget('https://unknown.example/', strict, { resolve })).toBeUndefined();
    const never = () => new Promise<never>(() => undefined);
    expect(
      await undeliverableTarget('https://slow.example/', strict, { resolve: never, lookupTimeoutMs: 20 }),
    ).toBeUndefined();
  });

  it('asks DNS once per name within the cache time, failures included', async () => {
    const asked: string[] = [];
    const counting = (hostname: string) => {
      asked.push(hostname);
      return resolve(hostname);
    };
    const cached = cachingResolve(60_000, 2, counting);
    for (let i = 0; i < 3; i++) {
      expect(await undeliverableTarget('https://inside.example/', strict, { resolve: cached })).toBeDefined();
      expect(await undeliverableTarget('https://unknown.example/', strict, { resolve: cached })).toBeUndefined();
    }
    expect(asked).toEqual(['inside.example', 'unknown.example']);
    await cached('mixed.example');
    await cached('inside.example');
    expect(asked).toEqual(['inside.example', 'unknown.example', 'mixed.example', 'inside.example']);
  });
});
