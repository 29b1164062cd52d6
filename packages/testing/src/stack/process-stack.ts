import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServiceName as RoutedService } from '@hookline/front-door';
import { startFrontDoor } from '../infra/front-door';
import { mongoUrlFor, startMongo } from '../infra/mongo';
import { startNats } from '../infra/nats';
import { freePort, stopProcess, type RunningServer } from '../infra/process';
import { SERVICES, servicePort, type ServiceSpec } from './services';

const ROOT = resolve(__dirname, '../../../..');
/**
 * Node flags of every service, here, in the image (infra/Dockerfile) and in the apps' start
 * scripts. Each service runs its JavaScript on one thread, but V8 collects the young generation
 * with helper threads by default, and on a machine whose few cores the whole stack shares they
 * compete with the other services: a collection took the dispatcher about 8 ms on its own thread
 * plus 21-28 ms on the helpers, against 12 ms on one thread, and the stack's paced p99 fell from
 * 36-47 ms to 26-34 ms at fan-out 1 (docs/benchmarks/README.md).
 */
export const SERVICE_NODE_FLAGS = ['--single-threaded-gc'];

/** Settings of the dispatcher's delivery policy, which the registry also applies when a webhook is written. */
const DELIVERY_POLICY_SETTINGS = ['WEBHOOK_ALLOW_HTTP', 'WEBHOOK_HTTP_PORTS', 'WEBHOOK_ALLOWED_CIDRS'];

/** The delivery policy among a service's settings: the registry gets the dispatcher's, as an operator would set it. */
function deliveryPolicyOf(env: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).filter(([key]) => DELIVERY_POLICY_SETTINGS.includes(key)));
}

export type ServiceName = (typeof SERVICES)[number]['name'];

export interface ProcessStackOptions {
  /** Settings given to every service (on top of the connection settings the stack makes). */
  env?: Record<string, string>;
  /** Settings for one service only. */
  serviceEnv?: Partial<Record<string, Record<string, string>>>;
  /** Which services to run (all six by default). */
  services?: readonly string[];
  /** Each service on its default port (the local stack); free ports otherwise. */
  defaultPorts?: boolean;
  /** NATS and MongoDB ports and data directories (the local stack keeps them across runs). */
  natsPort?: number;
  natsStoreDir?: string;
  mongoPort?: number;
  mongoDataDir?: string;
  /**
   * A MongoDB-wire server of the stack's own, even when the test run shares one: the fault tests
   * stop and restart it.
   */
  privateMongo?: boolean;
  /** Append each service's output to `<logDir>/<service>.log` (kept in memory only otherwise). */
  logDir?: string;
  adminKey?: string;
  encryptionKey?: string;
  /**
   * Run the front door (Caddy) in front of the services on this port, or on a free one with `true`;
   * the services get its URL as PUBLIC_BASE_URL unless the environment or `env` gives another.
   */
  frontDoor?: boolean | number;
  readyTimeoutMs?: number;
}

interface ServiceProcess {
  spec: ServiceSpec;
  port: number;
  child?: ChildProcess;
  output: string;
  log?: WriteStream;
}

/**
 * The whole stack as real processes: NATS with JetStream, a MongoDB-wire server and the services,
 * each its own `node apps/<name>/dist/main.js`. Behind `./hookline up`, the end-to-end scenarios,
 * the fault tests (which kill -9 and restart services, restart NATS and stop MongoDB) and the
 * end-to-end benchmark. Services need `pnpm build` first.
 */
export class ProcessStack {
  readonly adminKey: string;
  readonly encryptionKey: string;
  private readonly services = new Map<string, ServiceProcess>();
  private nats!: RunningServer;
  private mongo!: RunningServer;
  private frontDoor?: RunningServer;
  private frontDoorPort?: number;
  private natsPort!: number;
  private mongoPort!: number;
  private mongoUrl!: string;
  private readonly scratch: string;
  /** Called when a service exits without being told to (the local stack stops everything then). */
  onUnexpectedExit?: (service: string, code: number | null) => void;

  private constructor(private readonly options: ProcessStackOptions) {
    this.adminKey = options.adminKey ?? `hk_admin_${randomBytes(24).toString('base64url')}`;
    this.encryptionKey = options.encryptionKey ?? randomBytes(32).toString('base64');
    this.scratch = mkdtempSync(join(tmpdir(), 'hookline-stack-'));
  }

  static async start(options: ProcessStackOptions = {}): Promise<ProcessStack> {
    const stack = new ProcessStack(options);
    try {
      await stack.startInfra();
      const names = options.services ?? SERVICES.map((s) => s.name);
      for (const name of names) {
        const spec = SERVICES.find((s) => s.name === name);
        if (!spec) throw new Error(`unknown service ${name}`);
        const port = options.defaultPorts ? servicePort(spec) : await freePort();
        stack.services.set(name, { spec, port, output: '' });
      }
      if (options.frontDoor !== undefined && options.frontDoor !== false) {
        stack.frontDoorPort = options.frontDoor === true ? await freePort() : options.frontDoor;
      }
      await Promise.all(names.map((name) => stack.startService(name)));
      await stack.startFrontDoor();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  get natsUrl(): string {
    return this.nats.url;
  }

  /** The stack's database URL (what every service is given as MONGO_URL). */
  get databaseUrl(): string {
    return this.mongoUrl;
  }

  get infraSources(): { nats: string; mongo: string } {
    return { nats: this.nats.source, mongo: this.mongo.source };
  }

  /** The one public origin (the front door), for a stack started with `frontDoor`. */
  get publicUrl(): string {
    if (this.frontDoorPort === undefined) throw new Error('this stack was started without a front door');
    return `http://127.0.0.1:${this.frontDoorPort}`;
  }

  url(service: string): string {
    return `http://127.0.0.1:${this.service(service).port}`;
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Starts a stopped service on its port and waits until it is ready. */
  async startService(name: string): Promise<void> {
    const service = this.service(name);
    if (service.child && service.child.exitCode === null && service.child.signalCode === null) return;
    const { spec } = service;
    if (this.options.logDir && !service.log) {
      mkdirSync(this.options.logDir, { recursive: true });
      service.log = createWriteStream(join(this.options.logDir, `${spec.name}.log`), { flags: 'a' });
    }
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(ROOT, 'apps', spec.name, 'dist', 'main.js')], {
      cwd: join(ROOT, 'apps', spec.name),
      env: {
        LOG_LEVEL: 'warn',
        // The front door's URL unless the operator gives another (a domain in front of it, say).
        ...(this.frontDoorPort !== undefined && { PUBLIC_BASE_URL: this.publicUrl }),
        ...process.env,
        ...this.options.env,
        ...(name === 'registry' && deliveryPolicyOf(this.options.serviceEnv?.dispatcher)),
        ...this.options.serviceEnv?.[name],
        PORT: String(service.port),
        NATS_URL: this.nats.url,
        MONGO_URL: this.mongoUrl,
        HOOKLINE_ADMIN_KEY: this.adminKey,
        HOOKLINE_ENCRYPTION_KEY: this.encryptionKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the stack, which stops services in order.
      detached: true,
    });
    service.child = child;
    const keep = (chunk: Buffer): void => {
      service.output = (service.output + chunk.toString()).slice(-16_000);
      service.log?.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code) => {
      if (service.child === child && this.onUnexpectedExit) this.onUnexpectedExit(name, code);
    });
    await this.waitReady(name, child);
  }

  /** Stops a service: SIGTERM lets it finish in-flight work; SIGKILL is the crash of the fault tests. */
  async stopService(name: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const service = this.service(name);
    const child = service.child;
    if (!child) return;
    service.child = undefined;
    if (signal === 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    } else {
      await stopProcess(child, 15_000);
    }
  }

  async restartService(name: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    await this.stopService(name, signal);
    await this.startService(name);
  }

  /** Stops nats-server and starts it again on the same port with the same JetStream store. */
  async restartNats(downMs = 0): Promise<void> {
    await this.nats.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    this.nats = await startNats({ private: true, port: this.natsPort, storeDir: this.natsStoreDir() });
  }

  async stopMongo(): Promise<void> {
    if (!this.options.privateMongo) throw new Error('stopMongo needs a stack started with privateMongo');
    await this.mongo.stop();
  }

  /**
   * SIGSTOP or SIGCONT to the stack's own MongoDB-wire server: stopped, it keeps its connections
   * open and accepts new ones but answers nothing, the way a stalled database looks to a client.
   */
  signalMongo(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.options.privateMongo || this.mongo.pid === undefined)
      throw new Error('signalMongo needs a stack started with privateMongo');
    process.kill(this.mongo.pid, signal);
  }

  /** SIGSTOP or SIGCONT to the stack's nats-server (always its own): a stalled NATS, as signalMongo. */
  signalNats(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.nats.pid === undefined) throw new Error('nats-server was not started by this stack');
    process.kill(this.nats.pid, signal);
  }

  async startMongo(): Promise<void> {
    this.mongo = await startMongo({ private: true, port: this.mongoPort, dataDir: this.mongoDataDir() });
  }

  /** The last lines a service printed, for a failing test's message. */
  output(name: string): string {
    return this.service(name).output;
  }

  async stop(): Promise<void> {
    this.onUnexpectedExit = undefined;
    await this.frontDoor?.stop();
    await Promise.all([...this.services.keys()].reverse().map((name) => this.stopService(name)));
    for (const service of this.services.values()) service.log?.end();
    await this.nats?.stop();
    await this.mongo?.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private async startFrontDoor(): Promise<void> {
    if (this.frontDoorPort === undefined) return;
    this.frontDoor = await startFrontDoor({
      port: this.frontDoorPort,
      servicePort: (service: RoutedService) => this.service(service).port,
      configDir: this.scratch,
    });
  }

  private async startInfra(): Promise<void> {
    this.natsPort = this.options.natsPort ?? (await freePort());
    this.nats = await startNats({ private: true, port: this.natsPort, storeDir: this.natsStoreDir() });
    const shared = process.env.HOOKLINE_TEST_MONGO_URL;
    if (shared && !this.options.privateMongo) {
      this.mongo = { url: shared, source: 'the test run’s MongoDB-wire server', stop: async () => {} };
      this.mongoUrl = mongoUrlFor(shared, `stack_${randomBytes(6).toString('hex')}`);
      return;
    }
    this.mongoPort = this.options.mongoPort ?? (await freePort());
    this.mongo = this.options.privateMongo
      ? await startMongo({ private: true, port: this.mongoPort, dataDir: this.mongoDataDir() })
      : await startMongo({ port: this.mongoPort, dataDir: this.options.mongoDataDir });
    this.mongoUrl = mongoUrlFor(this.mongo.url, 'hookline');
  }

  private natsStoreDir(): string {
    return this.options.natsStoreDir ?? join(this.scratch, 'nats');
  }

  private mongoDataDir(): string {
    return this.options.mongoDataDir ?? join(this.scratch, 'mongo');
  }

  private service(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of this stack`);
    return service;
  }

  private async waitReady(name: string, child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    const url = `${this.url(name)}/health/ready`;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`${name} exited with code ${child.exitCode}:\n${this.tail(name)}`);
      }
      try {
        if ((await fetch(url)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${this.tail(name)}`);
  }

  private tail(name: string, lines = 20): string {
    return this.service(name).output.trimEnd().split('\n').slice(-lines).join('\n');
  }
}
