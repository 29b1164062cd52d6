import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  connect as tcpConnect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { deliverOnce, USER_AGENT, type DeliverOnceInput } from './attempt';
import { DispatcherPool } from './dispatcher-pool';
import { proxySettingsFrom } from './proxy';
import { generateSecret, signatureHeaders } from './signing';

// A self-signed certificate for hooks.example.test valid until 2126, made with `openssl req -x509
// -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=hooks.example.test
// -addext subjectAltName=DNS:hooks.example.test`.
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'test-fixtures', name), 'utf8');

interface Received {
  method?: string;
  headers: IncomingMessage['headers'];
  body: string;
  servername?: string | false;
}

/** Servers started by a test, closed (with their sockets) after it. */
const servers: Server[] = [];
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An HTTP server on 127.0.0.1 that records each request, then answers with `respond`. */
async function httpServer(respond: (res: ServerResponse, req: IncomingMessage) => void) {
  const received: Received[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      respond(res, req);
    });
  });
  const port = await listen(server);
  return { port, received, server };
}

/** A raw TCP server, for receivers that misbehave below HTTP. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<number> {
  return listen(createTcpServer(onSocket));
}

/** Writes one byte per second, at most `max` times, until the socket closes. */
function trickle(socket: Socket, max: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= max || socket.destroyed) {
      clearInterval(timer);
      return;
    }
    socket.write('x');
    sent += 1;
  }, 1000);
  timers.add(timer);
  socket.on('close', () => clearInterval(timer));
}

let pool: DispatcherPool;

beforeEach(() => {
  pool = new DispatcherPool();
});

afterEach(async () => {
  timers.forEach(clearInterval);
  timers.clear();
  sockets.forEach((s) => s.destroy());
  await pool.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const body = JSON.stringify({ rule: { id: 'r1' }, message: { action: 'Created', object_id: '42' } });

function input(port: number, overrides: Partial<DeliverOnceInput> = {}): DeliverOnceInput {
  return {
    url: `http://hooks.invalid:${port}/in/abc?x=1`,
    pinnedAddress: '127.0.0.1',
    body,
    timeoutMs: 5000,
    dispatcherPool: pool,
    ...overrides,
  };
}

describe('deliverOnce', () => {
  it('POSTs the body with signature, JSON and Hookline headers to the pinned address', async () => {
    const { port, received } = await httpServer((res) => res.end('thanks'));
    const secret = generateSecret();
    const signed = signatureHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);

    const result = await deliverOnce(
      input(port, {
        headers: { ...signed, 'X-Rally-Security': 'tok', 'Content-Type': 'text/plain' },
      }),
    );

    expect(result).toMatchObject({ kind: 'success', status: 200, responseExcerpt: 'thanks' });
    expect(result.errorKind).toBeUndefined();
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.method).toBe('POST');
    expect(req.body).toBe(body);
    // The hostname never resolves: reaching the server at all proves the pinned connection.
    expect(req.headers.host).toBe(`hooks.invalid:${port}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^Hookline\/\d+\.\d+\.\d+/);
    expect(req.headers['x-rally-security']).toBe('tok');
    const verified = new Webhook(secret).verify(req.body, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    });
    expect(verified).toEqual(JSON.parse(body));
  });

  it('reports 503 as retry with its Retry-After', async () => {
    const { port } = await httpServer((res) => {
      res.writeHead(503, { 'Retry-After': '7' }).end('busy');
    });
    const result = await deliverOnce(input(port));
    expect(result).toMatchObject({
      kind: 'retry',
      errorKind: 'status',
      status: 503,
      retryAfter: '7',
      responseExcerpt: 'busy',
    });
  });

  it('reports 410 as gone', async () => {
    const { port } = await httpServer((res) => res.writeHead(410).end());
    expect(await deliverOnce(input(port))).toMatchObject({ kind: 'gone', status: 410 });
  });

  it('reports 400 as failed without retry', async () => {
    const { port } = await httpServer((res) => res.writeHead(400).end('bad payload'));
    expect(await deliverOnce(input(port))).toMatchObject({
      kind: 'failed',
      errorKind: 'status',
      status: 400,
      responseExcerpt: 'bad payload',
    });
  });

  it('does not follow a 301', async () => {
    const target = await httpServer((res) => res.end('followed'));
    const { port } = await httpServer((res) => {
      res.writeHead(301, { Location: `http://127.0.0.1:${target.port}/elsewhere` }).end();
    });
    const result = await deliverOnce(input(port));
    expect(result).toMatchObject({ kind: 'failed', errorKind: 'redirect', status: 301 });
    expect(target.received).toHaveLength(0);
  });

  it('cuts a response body trickling a byte a second at the deadline', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
        trickle(socket, 100);
      });
    });
    const result = await deliverOnce(input(port, { timeoutMs: 1500 }));
    expect(result).toMatchObject({ kind: 'retry', errorKind: 'timeout', status: 200 });
    expect(result.error).toMatch(/deadline of 1500 ms/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(1400);
    expect(result.latencyMs).toBeLessThan(2500);
    // One byte had arrived by the deadline; what came before the cut is kept.
    expect(result.responseExcerpt).toBe('x');
  });

  it('cuts response headers trickling a byte a second at the deadline', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
        trickle(socket, 100);
      });
    });
    const result = await deliverOnce(input(port, { timeoutMs: 1500 }));
    expect(result).toMatchObject({ kind: 'retry', errorKind: 'timeout' });
    expect(result.status).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(1400);
    expect(result.latencyMs).toBeLessThan(2500);
  });

  it('times out against a server that accepts and never answers', async () => {
    const port = await tcpServer(() => undefined);
    const result = await deliverOnce(input(port, { timeoutMs: 300 }));
    expect(result).toMatchObject({ kind: 'retry', errorKind: 'timeout', responseExcerpt: '' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(250);
    expect(result.latencyMs).toBeLessThan(1500);
  });

  it('reports a connection reset as a retryable connection error', async () => {
    const port = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const result = await deliverOnce(input(port));
    expect(result).toMatchObject({ kind: 'retry', errorKind: 'connection' });
    expect(result.status).toBeUndefined();
    expect(result.error).toBeTruthy();
  });

  it('reports a refused connection as a retryable connection error', async () => {
    const port = await tcpServer(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const result = await deliverOnce(input(port));
    expect(result).toMatchObject({ kind: 'retry', errorKind: 'connection' });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('reports an answer that is not HTTP as invalid-http, not retried', async () => {
    const port = await tcpServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH\r\n\r\n')));
    const result = await deliverOnce(input(port));
    expect(result).toMatchObject({ kind: 'failed', errorKind: 'invalid-http' });
  });

  it('keeps only maxResponseBytes of an oversize body', async () => {
    const { port } = await httpServer((res) => res.end('a'.repeat(2_000_000)));
    const result = await deliverOnce(input(port, { maxResponseBytes: 100 }));
    expect(result).toMatchObject({ kind: 'success', status: 200 });
    expect(result.responseExcerpt).toBe('a'.repeat(100));
  });

  it('applies the cap after decoding a gzip body', async () => {
    const { port } = await httpServer((res) => {
      res.writeHead(500, { 'Content-Encoding': 'gzip' }).end(gzipSync('e'.repeat(5_000_000)));
    });
    const result = await deliverOnce(input(port, { maxResponseBytes: 1000 }));
    expect(result).toMatchObject({ kind: 'failed', status: 500 });
    expect(result.responseExcerpt).toBe('e'.repeat(1000));
  });

  it('reuses a kept-alive connection for the next attempt to the same origin', async () => {
    const { port, server } = await httpServer((res) => res.end('ok'));
    let connections = 0;
    server.on('connection', () => (connections += 1));
    for (let i = 0; i < 3; i++) {
      expect(await deliverOnce(input(port))).toMatchObject({ kind: 'success' });
      // undici frees the connection for the next request on the following turn of the loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connections).toBe(1);
    expect(pool.size).toBe(1);
  });

  it('refuses a literal host that is not the pinned address', async () => {
    await expect(deliverOnce(input(1, { url: 'http://10.0.0.1/', pinnedAddress: '127.0.0.1' }))).rejects.toThrow(
      /differs from pinned/,
    );
    await expect(deliverOnce(input(1, { pinnedAddress: 'localhost' }))).rejects.toThrow(TypeError);
  });

  it('delivers to a literal host that is the pinned address', async () => {
    const { port, received } = await httpServer((res) => res.end());
    const result = await deliverOnce(input(port, { url: `http://127.0.0.1:${port}/` }));
    expect(result.kind).toBe('success');
    expect(received[0].headers.host).toBe(`127.0.0.1:${port}`);
  });

  it('refuses a missing or non-positive deadline', async () => {
    await expect(deliverOnce(input(1, { timeoutMs: 0 }))).rejects.toThrow(RangeError);
    await expect(deliverOnce(input(1, { timeoutMs: Number.NaN }))).rejects.toThrow(RangeError);
  });

  it('refuses headers that belong to the HTTP client', async () => {
    await expect(deliverOnce(input(1, { headers: { Host: 'evil.example' } }))).rejects.toThrow(/Host/);
    await expect(deliverOnce(input(1, { headers: { 'Transfer-Encoding': 'chunked' } }))).rejects.toThrow(TypeError);
  });

  describe('over TLS', () => {
    async function tlsServer() {
      const received: Received[] = [];
      const server = createHttpsServer(
        { key: fixture('hooks-example-test.key'), cert: fixture('hooks-example-test.crt') },
        (req, res) => {
          req.resume();
          req.on('end', () => {
            const servername = (req.socket as TLSSocket).servername;
            received.push({ headers: req.headers, body: '', servername });
            res.end('secure');
          });
        },
      );
      const port = await listen(server);
      return { port, received };
    }

    it('connects to the pinned address with SNI and Host of the hostname', async () => {
      const { port, received } = await tlsServer();
      pool = new DispatcherPool({ extraCaCertificates: [fixture('hooks-example-test.crt')] });
      const result = await deliverOnce(input(port, { url: `https://hooks.example.test:${port}/in` }));
      expect(result).toMatchObject({ kind: 'success', status: 200, responseExcerpt: 'secure' });
      expect(received[0].servername).toBe('hooks.example.test');
      expect(received[0].headers.host).toBe(`hooks.example.test:${port}`);
    });

    it('checks the certificate against the hostname, not the pinned address', async () => {
      const { port, received } = await tlsServer();
      pool = new DispatcherPool({ extraCaCertificates: [fixture('hooks-example-test.crt')] });
      const result = await deliverOnce(input(port, { url: `https://other.example.test:${port}/` }));
      expect(result).toMatchObject({ kind: 'retry', errorKind: 'connection' });
      expect(result.error).toMatch(/other\.example\.test/);
      expect(received).toHaveLength(0);
    });

    it('tunnels through a CONNECT proxy to the hostname, checking its certificate with the extra CA', async () => {
      const { port, received } = await tlsServer();
      const asked: string[] = [];
      // A CONNECT proxy that resolves every name to 127.0.0.1, as an organisation's proxy resolves for us.
      const proxy = createHttpServer();
      proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
        asked.push(req.url ?? '');
        const upstream = tcpConnect(Number((req.url ?? '').split(':')[1]), '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
      });
      const proxyPort = await listen(proxy);
      pool = new DispatcherPool({
        extraCaCertificates: [fixture('hooks-example-test.crt')],
        proxy: proxySettingsFrom({ HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` }),
      });
      const result = await deliverOnce(input(port, { url: `https://hooks.example.test:${port}/in` }));
      expect(result).toMatchObject({ kind: 'success', status: 200, responseExcerpt: 'secure' });
      expect(asked).toEqual([`hooks.example.test:${port}`]);
      expect(received[0].servername).toBe('hooks.example.test');
    });

    it('does not trust a self-signed receiver without the extra CA', async () => {
      const { port } = await tlsServer();
      const result = await deliverOnce(input(port, { url: `https://hooks.example.test:${port}/` }));
      expect(result).toMatchObject({ kind: 'retry', errorKind: 'connection' });
    });
  });
});

describe('DispatcherPool', () => {
  it('keeps one pool per origin and pinned address, closing the least recently used', async () => {
    const small = new DispatcherPool({ maxOrigins: 2 });
    const a = small.get(new URL('https://a.example.com/x'), '93.184.215.14');
    expect(small.get(new URL('https://a.example.com/y'), '93.184.215.14')).toBe(a);
    const b = small.get(new URL('https://a.example.com/'), '93.184.215.15');
    expect(b).not.toBe(a);
    small.get(new URL('https://a.example.com/'), '93.184.215.14');
    small.get(new URL('https://c.example.com/'), '93.184.215.16');
    expect(small.size).toBe(2);
    // b was least recently used, so it was closed; a survives.
    expect((b as unknown as { closed: boolean }).closed).toBe(true);
    expect((a as unknown as { closed: boolean }).closed).toBe(false);
    await small.close();
    expect(small.size).toBe(0);
  });
});
