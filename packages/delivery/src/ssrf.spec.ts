import type { LookupAddress } from 'node:dns';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import {
  allowedCidrsFromEnv,
  classifyAddress,
  isAddressAllowed,
  parseCidr,
  parseCidrList,
  parseIpAddress,
  pinnedLookup,
  resolveTarget,
  type AddressClassification,
} from './ssrf';

const classified = (ip: string): AddressClassification => {
  const c = classifyAddress(ip);
  if (!c) throw new Error(`${ip} did not parse`);
  return c;
};

describe('classifyAddress, IPv4', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
  ])('%s is %s', (ip, category) => {
    const c = classified(ip);
    expect(c.category).toBe(category);
    expect(c.blocked).toBe(category !== 'public');
    expect(c.family).toBe(4);
  });

  it.each(['0x7f000001', '2130706433', '0177.0.0.1', '127.1', '0x7f.1', '0x7f.0.0.1', '127.0.0.1.'])(
    'reads the non-canonical form %s as loopback 127.0.0.1',
    (form) => {
      expect(classified(form)).toMatchObject({ address: '127.0.0.1', category: 'loopback' });
    },
  );

  it('reads other non-canonical forms byte by byte', () => {
    expect(parseIpAddress('0xa.0x1.0x2.0x3')?.address).toBe('10.1.2.3');
    expect(parseIpAddress('012.1')?.address).toBe('10.0.0.1');
    expect(parseIpAddress('192.168.257')?.address).toBe('192.168.1.1');
    expect(parseIpAddress('3232235777')?.address).toBe('192.168.1.1');
  });

  it.each(['1.2.3.4.5', '256.1.1.1', '1.2.3.256', '09.1.1.1', '4294967296', 'example.com', '', '1..2'])(
    'does not take %j for an IP',
    (text) => {
      expect(classifyAddress(text)).toBeNull();
    },
  );
});

describe('classifyAddress, IPv6', () => {
  it.each([
    ['2606:4700:4700::1111', 'public', undefined],
    ['::1', 'loopback', undefined],
    ['[::1]', 'loopback', undefined],
    ['::', 'unspecified', undefined],
    ['fe80::1', 'link-local', undefined],
    ['fe80::1%eth0', 'link-local', undefined],
    ['febf:ffff::1', 'link-local', undefined],
    ['fc00::1', 'unique-local', undefined],
    ['fd12:3456::1', 'unique-local', undefined],
    ['fd00:ec2::254', 'metadata', undefined],
    ['ff02::1', 'multicast', undefined],
    ['2001:db8::1', 'reserved', undefined],
    ['2001::1', 'reserved', undefined],
    ['4000::1', 'reserved', undefined],
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
    ['::FFFF:7F00:0001', 'loopback', '127.0.0.1'],
    ['::ffff:169.254.169.254', 'metadata', '169.254.169.254'],
    ['::ffff:8.8.8.8', 'public', '8.8.8.8'],
    ['::127.0.0.1', 'loopback', '127.0.0.1'],
    ['::7f00:1', 'loopback', '127.0.0.1'],
    ['::ffff:0:a00:1', 'private', '10.0.0.1'],
    ['64:ff9b::10.0.0.1', 'private', '10.0.0.1'],
    ['64:ff9b::a9fe:a9fe', 'metadata', '169.254.169.254'],
    ['64:ff9b::8.8.8.8', 'public', '8.8.8.8'],
    ['2002:c0a8:0101::1', 'private', '192.168.1.1'],
    ['2002:7f00:1::', 'loopback', '127.0.0.1'],
    ['2002:0808:0808::1', 'public', '8.8.8.8'],
  ])('%s is %s', (ip, category, embedded) => {
    const c = classified(ip);
    expect(c.family).toBe(6);
    expect(c.category).toBe(category);
    expect(c.blocked).toBe(category !== 'public');
    expect(c.embeddedIPv4).toBe(embedded);
  });

  it('names the embedding', () => {
    expect(classified('::ffff:7f00:1').via).toBe('ipv4-mapped');
    expect(classified('::7f00:1').via).toBe('ipv4-compatible');
    expect(classified('64:ff9b::a00:1').via).toBe('nat64');
    expect(classified('2002:a00:1::').via).toBe('6to4');
  });

  it('rejects malformed IPv6', () => {
    expect(classifyAddress('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(classifyAddress('::ffff:127.1')).toBeNull();
    expect(classifyAddress('fe80:::1')).toBeNull();
  });
});

describe('CIDR allow-list', () => {
  it('parses v4, v6 and bare addresses and masks host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ family: 4, prefix: 8, bytes: Uint8Array.of(10, 0, 0, 0) });
    expect(parseCidr('192.168.1.7')).toMatchObject({ family: 4, prefix: 32 });
    expect(parseCidr('fd12:3456::1/20')).toMatchObject({ family: 6, prefix: 20 });
    expect(Array.from(parseCidr('fd12:3456::1/20').bytes.slice(0, 4))).toEqual([0xfd, 0x12, 0x30, 0]);
  });

  it.each(['10/8', '10.0.0.0/33', 'fd00::/129', 'abc', '1.2.3.4/8/9', '1.2.3.4/', '0x0a000000/8', ''])(
    'refuses %j',
    (text) => {
      expect(() => parseCidr(text)).toThrow(/invalid CIDR/);
    },
  );

  it('reads WEBHOOK_ALLOWED_CIDRS, comma separated with spaces and empty entries', () => {
    const list = allowedCidrsFromEnv({ WEBHOOK_ALLOWED_CIDRS: ' 10.0.0.0/8, ,fd00::/8,' });
    expect(list.map((c) => c.text)).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(allowedCidrsFromEnv({})).toEqual([]);
    expect(() => parseCidrList('10.0.0.0/8,nonsense')).toThrow(/nonsense/);
  });

  it('lets an allow-listed blocked address through and nothing else', () => {
    const allow = parseCidrList('10.0.0.0/8,fd00::/8,127.0.0.1');
    expect(isAddressAllowed(classified('10.200.0.1'), allow)).toBe(true);
    expect(isAddressAllowed(classified('fd00::5'), allow)).toBe(true);
    expect(isAddressAllowed(classified('127.0.0.1'), allow)).toBe(true);
    expect(isAddressAllowed(classified('127.0.0.2'), allow)).toBe(false);
    expect(isAddressAllowed(classified('192.168.0.1'), allow)).toBe(false);
    expect(isAddressAllowed(classified('8.8.8.8'), [])).toBe(true);
  });

  it('matches an IPv6 address by its embedded IPv4', () => {
    const allow = parseCidrList('10.0.0.0/8');
    expect(isAddressAllowed(classified('::ffff:10.1.2.3'), allow)).toBe(true);
    expect(isAddressAllowed(classified('::ffff:192.168.1.1'), allow)).toBe(false);
  });

  it('never lets cloud metadata through, even inside an allowed range', () => {
    const allow = parseCidrList('169.254.0.0/16,fd00::/8,0.0.0.0/0');
    expect(isAddressAllowed(classified('169.254.1.1'), allow)).toBe(true);
    expect(isAddressAllowed(classified('169.254.169.254'), allow)).toBe(false);
    expect(isAddressAllowed(classified('fd00:ec2::254'), allow)).toBe(false);
    expect(isAddressAllowed(classified('::ffff:169.254.169.254'), allow)).toBe(false);
  });
});

describe('resolveTarget', () => {
  const resolverOf = (...addresses: string[]) => {
    const calls: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      calls.push(hostname);
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return { calls, resolve };
  };
  const noDns = async (hostname: string): Promise<LookupAddress[]> => {
    throw new Error(`unexpected DNS lookup of ${hostname}`);
  };

  it('resolves once and pins the first address', async () => {
    const { calls, resolve } = resolverOf('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c');
    const result = await resolveTarget('https://hooks.example.com/in/abc?x=1', { resolve });
    expect(calls).toEqual(['hooks.example.com']);
    expect(result).toMatchObject({
      ok: true,
      target: { hostname: 'hooks.example.com', port: 443, address: '93.184.215.14', family: 4 },
    });
    if (result.ok) expect(result.target.addresses).toHaveLength(2);
  });

  it('pins an IPv6 answer and keeps an explicit port', async () => {
    const { resolve } = resolverOf('2606:4700:4700::1111');
    const result = await resolveTarget('http://hooks.example.com:8080/', { resolve });
    expect(result).toMatchObject({ ok: true, target: { address: '2606:4700:4700::1111', family: 6, port: 8080 } });
  });

  it('refuses the name when ANY of its addresses is blocked', async () => {
    const { resolve } = resolverOf('93.184.215.14', '10.0.0.7');
    const result = await resolveTarget('https://mixed.example.com/', { resolve });
    expect(result).toMatchObject({ ok: false, code: 'blocked-address', retryable: false });
    if (!result.ok) expect(result.reason).toMatch(/10\.0\.0\.7 \(private\)/);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['64:ff9b::c0a8:101', 'private'],
  ])('refuses a name resolving to %s', async (address, category) => {
    const { resolve } = resolverOf(address);
    const result = await resolveTarget('https://rebind.example.com/', { resolve });
    expect(result).toMatchObject({ ok: false, code: 'blocked-address' });
    if (!result.ok) expect(result.reason).toContain(`(${category})`);
  });

  it('lets an allow-listed private address through', async () => {
    const { resolve } = resolverOf('10.1.2.3');
    const allowedCidrs = parseCidrList('10.0.0.0/8');
    const result = await resolveTarget('https://internal.example.com/', { resolve, allowedCidrs });
    expect(result).toMatchObject({ ok: true, target: { address: '10.1.2.3' } });
  });

  it.each([
    'http://0x7f000001/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0x7f.1:8080/',
    'http://127.0.0.1./',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[fd00:ec2::254]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[2002:a9fe:a9fe::]/',
  ])('refuses the literal host of %s without any DNS lookup', async (url) => {
    const result = await resolveTarget(url, { resolve: noDns });
    expect(result).toMatchObject({ ok: false, code: 'blocked-address' });
  });

  it('pins an allow-listed literal to itself', async () => {
    const allowedCidrs = parseCidrList('127.0.0.0/8');
    const result = await resolveTarget('http://127.0.0.1:8080/hook', { resolve: noDns, allowedCidrs });
    expect(result).toMatchObject({ ok: true, target: { hostname: '127.0.0.1', address: '127.0.0.1', port: 8080 } });
  });

  it('pins a public IPv6 literal without brackets', async () => {
    const result = await resolveTarget('https://[2606:4700:4700::1111]/', { resolve: noDns });
    expect(result).toMatchObject({ ok: true, target: { hostname: '2606:4700:4700::1111', family: 6 } });
  });

  it('refuses localhost through the real resolver', async () => {
    const result = await resolveTarget('http://localhost:3000/');
    expect(result).toMatchObject({ ok: false, code: 'blocked-address' });
  });

  it('reports DNS failures as retryable', async () => {
    const resolve = async (): Promise<LookupAddress[]> => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
    };
    const result = await resolveTarget('https://flaky.example.com/', { resolve });
    expect(result).toMatchObject({ ok: false, code: 'dns-failure', retryable: true });
    if (!result.ok) expect(result.reason).toContain('EAI_AGAIN');
    const empty = await resolveTarget('https://empty.example.com/', { resolve: resolverOf().resolve });
    expect(empty).toMatchObject({ ok: false, code: 'dns-failure' });
  });

  it('refuses invalid URLs and other schemes', async () => {
    expect(await resolveTarget('not a url')).toMatchObject({ ok: false, code: 'invalid-url' });
    expect(await resolveTarget('ftp://example.com/')).toMatchObject({
      ok: false,
      code: 'unsupported-scheme',
    });
    expect(await resolveTarget('file:///etc/passwd')).toMatchObject({
      ok: false,
      code: 'unsupported-scheme',
    });
  });
});

describe('pinnedLookup', () => {
  const call = (
    lookup: ReturnType<typeof pinnedLookup>,
    hostname: string,
    all: boolean,
  ): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> =>
    new Promise((resolve) => {
      lookup(hostname, { all }, (err, address, family) => resolve({ err, address, family }));
    });

  it('answers only the pinned address, in both callback shapes', async () => {
    const lookup = pinnedLookup('hooks.example.com', '93.184.215.14');
    expect(await call(lookup, 'hooks.example.com', false)).toMatchObject({
      err: null,
      address: '93.184.215.14',
      family: 4,
    });
    expect(await call(lookup, 'HOOKS.example.com', true)).toMatchObject({
      err: null,
      address: [{ address: '93.184.215.14', family: 4 }],
    });
    const v6 = pinnedLookup('hooks.example.com', '2606:4700:4700::1111');
    expect(await call(v6, 'hooks.example.com', false)).toMatchObject({ family: 6 });
  });

  it('refuses any other hostname', async () => {
    const lookup = pinnedLookup('hooks.example.com', '93.184.215.14');
    const { err } = await call(lookup, 'evil.example.com', false);
    expect(err?.code).toBe('ENOTFOUND');
  });

  it('accepts only a canonical IP as the pin', () => {
    expect(() => pinnedLookup('h', 'hooks.example.com')).toThrow(TypeError);
    expect(() => pinnedLookup('h', '0x7f000001')).toThrow(TypeError);
  });

  describe('with a real socket', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((socket) => socket.end('pinned'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('makes net.connect reach the pinned address for a name DNS does not know', async () => {
      const lookup = pinnedLookup('pinned.invalid', '127.0.0.1');
      const received = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: 'pinned.invalid', port, lookup });
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(received).toBe('pinned');
    });
  });
});
