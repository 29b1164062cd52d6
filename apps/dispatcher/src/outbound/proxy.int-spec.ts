import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { Receiver } from '@hookline/testing';
import { box, DispatcherHarness, job, spec } from '../../test/dispatcher-harness';

interface TestProxy {
  url: string;
  /** `GET http://host/path` for forwarded requests, `CONNECT host:port` for tunnels. */
  seen: string[];
  close(): Promise<void>;
}

/** A small forwarding and CONNECT proxy on 127.0.0.1 that records what it was asked for. */
async function startProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('dispatcher through the organisation proxy (WEBHOOK_PROXY_URL)', () => {
  let h: DispatcherHarness;
  let proxy: TestProxy;
  let receiver: Receiver;
  let tokens: Receiver;
  let forbidden: Receiver;

  beforeAll(async () => {
    proxy = await startProxy();
    // Receivers live on 127.0.0.2, the only range allowed; the proxy's own 127.0.0.1 is not a
    // permitted target, and a target there must stay refused although the proxy would reach it.
    receiver = await Receiver.start({ respond: (res) => res.end('ok'), host: '127.0.0.2' });
    tokens = await Receiver.start({
      respond: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"tok-1"}'),
      host: '127.0.0.2',
    });
    forbidden = await Receiver.start({ respond: (res) => res.end('ok') });
    h = await DispatcherHarness.start({
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.2/32',
      WEBHOOK_REQUEST_TIMEOUT: '2000',
      WEBHOOK_PROXY_URL: proxy.url,
    });
  });

  afterAll(async () => {
    await h?.stop();
    await Promise.all([receiver, tokens, forbidden].map((r) => r?.stop()));
    await proxy?.close();
  });

  it('sends the delivery and its OAuth2 token request through the proxy', async () => {
    const j = job(
      spec(receiver.url(), {
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: tokens.url(),
          ClientId: 'client',
          ClientSecret: box.encrypt('secret'),
          Scope: null,
        },
      }),
    );
    await h.publish(j);
    expect(await h.settled(j.deliveryId)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1 })]);
    expect(proxy.seen).toEqual([`POST ${tokens.url()}`, `POST ${receiver.url()}`]);
    expect(receiver.requests[0].headers.authorization).toBe('Bearer tok-1');
  });

  it('still refuses a private target the proxy could reach, without asking the proxy', async () => {
    const before = proxy.seen.length;
    for (const url of [forbidden.url(), `http://localhost:${forbidden.port}/hook`, 'http://10.0.0.1/hook']) {
      const j = job(spec(url));
      await h.publish(j);
      const outcomes = await h.settled(j.deliveryId);
      expect(outcomes).toEqual([expect.objectContaining({ kind: 'failed', errorKind: 'refused' })]);
      expect(outcomes[0].error).toMatch(/not allowed/);
    }
    expect(proxy.seen.length).toBe(before);
    expect(forbidden.connections).toBe(0);
  });
});
