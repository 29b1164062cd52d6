import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { TunnelDeliveryFrame } from '@hookline/contracts';
import { forwardTo, MAX_BODY_EXCERPT_CHARS, printTo, routeDeliveries, routeOf } from './deliveries';

const delivery: TunnelDeliveryFrame = {
  type: 'delivery',
  id: 'd-1',
  webhookId: 'wh-1',
  headers: {
    'content-type': 'application/json',
    'x-hookline-signature': 'v1,abc',
    host: 'evil.example',
    'content-length': '999',
  },
  body: '{"rule":"r"}',
};

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('forwardTo', () => {
  let server: Server;
  let url: string;
  let seen: { headers: IncomingHttpHeaders; body: string } | undefined;
  let respond: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { headers: req.headers, body };
        respond(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the body with the delivery headers and replies with status, headers and a body excerpt', async () => {
    respond = (res) => {
      res.writeHead(429, { 'retry-after': '7', 'x-other': 'no' });
      res.end('x'.repeat(MAX_BODY_EXCERPT_CHARS + 10));
    };
    const reply = await forwardTo(url, 2_000)(delivery);
    expect(seen?.body).toBe('{"rule":"r"}');
    expect(seen?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-hookline-signature': 'v1,abc',
      'content-length': '12',
    });
    expect(seen?.headers.host).toMatch(/^127\.0\.0\.1:/);
    expect(reply).toMatchObject({ id: 'd-1', status: 429, headers: { 'retry-after': '7' } });
    expect(reply.headers).not.toHaveProperty('x-other');
    expect(reply.body).toHaveLength(MAX_BODY_EXCERPT_CHARS);
  });

  it('answers 504 when the receiver is too slow and 502 when it is unreachable', async () => {
    respond = (res) => setTimeout(() => res.end('late'), 1_000);
    await expect(forwardTo(url, 100)(delivery)).resolves.toMatchObject({ id: 'd-1', status: 504 });
    const down = await forwardTo(`http://127.0.0.1:${await closedPort()}/hooks`, 1_000)(delivery);
    expect(down).toMatchObject({ id: 'd-1', status: 502 });
    expect(down.body).toContain('ECONNREFUSED');
  });
});

describe('routeOf: each webhook to its own local URL, --forward for the rest', () => {
  const options = {
    forward: 'http://localhost:9000/fallback',
    allowHosts: ['receiver.lan', '10.0.0.5:8080'],
    timeoutMs: 1,
  };

  it.each([
    ['http://localhost:3001/a', 'http://localhost:3001/a'],
    ['https://127.0.0.1:3002/b?x=1', 'https://127.0.0.1:3002/b?x=1'],
    ['http://[::1]:3003/c', 'http://[::1]:3003/c'],
    ['http://app.localhost/d', 'http://app.localhost/d'],
    ['https://receiver.lan/e', 'https://receiver.lan/e'],
    ['http://10.0.0.5:8080/f', 'http://10.0.0.5:8080/f'],
  ])('%s goes to its own URL', (targetUrl, expected) => {
    expect(routeOf({ targetUrl }, options)).toBe(expected);
  });

  it.each([
    ['a host not allowed', 'https://hooks.example.com/x'],
    ['an allowed host on another port', 'http://10.0.0.5:9090/f'],
    ['user info', 'http://user:pw@localhost:3001/a'],
    ['another scheme', 'ftp://localhost/a'],
    ['no URL at all', 'not a url'],
  ])('%s falls back to --forward', (_what, targetUrl) => {
    expect(routeOf({ targetUrl }, options)).toBe(options.forward);
  });

  it('falls back to --forward when an older dispatcher sends no target', () => {
    expect(routeOf({}, options)).toBe(options.forward);
  });
});

describe('routeDeliveries', () => {
  it('answers 421, which is not retried, for a delivery with no route, saying which flag to give', async () => {
    const reply = await routeDeliveries({ allowHosts: [], timeoutMs: 1_000 })({
      ...delivery,
      targetUrl: 'https://hooks.example.com/x',
    });
    expect(reply).toMatchObject({ id: 'd-1', status: 421 });
    expect(reply.body).toContain('--allow-host');
  });
});

describe('printTo', () => {
  it('pretty-prints JSON and shows anything else as it came', async () => {
    const printed: string[] = [];
    await expect(printTo((t) => printed.push(t))(delivery)).resolves.toMatchObject({ id: 'd-1', status: 200 });
    await printTo((t) => printed.push(t))({ ...delivery, body: 'not json' });
    expect(printed[0]).toBe('--- delivery d-1 for webhook wh-1\n{\n  "rule": "r"\n}\n');
    expect(printed[1]).toContain('\nnot json\n');
  });
});
