import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `Date.now()` when the whole body had arrived. */
  at: number;
  /** The status this receiver answered (undefined when it hung or reset). */
  status?: number;
}

/**
 * What a path answers. A number is a status; `hang` never answers (the sender's timeout decides);
 * `reset` destroys the connection; `{ delayMs, status, body, headers }` answers late, or with that
 * body and those headers.
 */
export type ReceiverBehaviour =
  number | 'hang' | 'reset' | { delayMs?: number; status?: number; body?: string; headers?: Record<string, string> };

export interface ReceiverOptions {
  /** The loopback address to listen on (another than 127.0.0.1 tests an allow-list). */
  host?: string;
  /**
   * Answers every request itself (raw headers, late answers); paths' behaviours are then unused.
   * `n` counts requests from 0.
   */
  respond?: (res: ServerResponse, n: number, request: ReceivedRequest) => void;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request. Each path answers 200 unless told
 * otherwise: `script(path, ...)` queues answers used once each, `behave(path, b)` sets a lasting one.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, ReceiverBehaviour[]>();
  private readonly lasting = new Map<string, ReceiverBehaviour>();
  private readonly sockets = new Set<Socket>();
  /** Called for each request once recorded, e.g. to measure latency without keeping bodies. */
  onRequest?: (request: ReceivedRequest) => void;
  /** Keep requests in `requests` (benchmarks turn it off and count through `onRequest`). */
  record = true;
  /** While set, answers wait for it (a receiver slower than the sender's patience). */
  hold?: Promise<void>;
  /** TCP connections accepted, whether or not a request followed. */
  connections = 0;
  private received = 0;

  private readonly server: Server;
  private port_ = 0;

  private constructor(private readonly options: ReceiverOptions) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.url ?? '/', req.method ?? 'GET', req.headers, chunks, res));
    });
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: ReceiverOptions = {}): Promise<Receiver> {
    const receiver = new Receiver(options);
    await new Promise<void>((resolve) => receiver.server.listen(0, receiver.host, resolve));
    receiver.port_ = (receiver.server.address() as { port: number }).port;
    return receiver;
  }

  get port(): number {
    return this.port_;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  url(path = '/hook'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  script(path: string, ...answers: ReceiverBehaviour[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...answers]);
  }

  behave(path: string, behaviour: ReceiverBehaviour | undefined): void {
    if (behaviour === undefined) this.lasting.delete(path);
    else this.lasting.set(path, behaviour);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Listens again on the same port after stop(): a receiver back from an outage. */
  async restart(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port_, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private handle(
    path: string,
    method: string,
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    res: ServerResponse,
  ): void {
    const request: ReceivedRequest = { path, method, headers, body: Buffer.concat(chunks).toString(), at: Date.now() };
    if (this.record) this.requests.push(request);
    const n = this.received++;
    // The answer is chosen on arrival, as a real receiver decides before it is slow to reply.
    const behaviour = this.options.respond
      ? undefined
      : (this.scripts.get(path)?.shift() ?? this.lasting.get(path) ?? 200);
    const reply = (): void => {
      if (behaviour === undefined) {
        this.options.respond?.(res, n, request);
        this.onRequest?.(request);
      } else this.answer(request, behaviour, res);
    };
    if (this.hold) void this.hold.then(reply);
    else reply();
  }

  private answer(request: ReceivedRequest, behaviour: ReceiverBehaviour, res: ServerResponse): void {
    if (behaviour === 'hang') return this.onRequest?.(request);
    if (behaviour === 'reset') {
      res.socket?.destroy();
      return this.onRequest?.(request);
    }
    const answer = (status: number, body = 'ok', headers: Record<string, string> = {}): void => {
      request.status = status;
      res.writeHead(status, headers);
      res.end(body);
      this.onRequest?.(request);
    };
    if (typeof behaviour === 'number') answer(behaviour);
    else if (!behaviour.delayMs) answer(behaviour.status ?? 200, behaviour.body, behaviour.headers);
    else setTimeout(() => answer(behaviour.status ?? 200, behaviour.body, behaviour.headers), behaviour.delayMs);
  }
}
