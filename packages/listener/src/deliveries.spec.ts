import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { TunnelDeliveryFrame } from '@hookline/contracts';
import { forwardTo, MAX_BODY_EXCERPT_CHARS, printTo } from './deliveries';

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

describe('printTo', () => {
  it('pretty-prints JSON and shows anything else as it came', async () => {
    const printed: string[] = [];
    await expect(printTo((t) => printed.push(t))(delivery)).resolves.toMatchObject({ id: 'd-1', status: 200 });
    await printTo((t) => printed.push(t))({ ...delivery, body: 'not json' });
    expect(printed[0]).toBe('--- delivery d-1 for webhook wh-1\n{\n  "rule": "r"\n}\n');
    expect(printed[1]).toContain('\nnot json\n');
  });
});
