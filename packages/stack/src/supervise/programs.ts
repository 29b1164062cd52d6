import { join } from 'node:path';
import { caddyConfig, consoleDir, SITE_DIR } from '@hookline/front-door';
import { FRONT_DOOR_GO_ENV } from '../infra/front-door';
import { findExecutable } from '../infra/process';
import { mongoServerCommand } from '../infra/mongo';
import { natsServerCommand } from '../infra/nats';
import { SERVICE_NODE_FLAGS, SERVICES, servicePort } from '../services';

/** What the local stack's programs are made from, settled once by `./hookline up`. */
export interface StackSettings {
  /** The repository root (the services run from `apps/<name>/dist`). */
  root: string;
  /** `.hookline/` or HOOKLINE_STATE_DIR: data, logs, the supervisor's socket and config. */
  state: string;
  /** The environment `up` was started with: ports, NATS_URL/MONGO_URL, service settings. */
  env: NodeJS.ProcessEnv;
  adminKey: string;
  encryptionKey: string;
  /** Instances per service (1 when not named by `--instances`). */
  instances: Readonly<Record<string, number>>;
}

/** One process the supervisor keeps running. */
export interface Program {
  /** The supervisor's name for it and its log file's, e.g. `dispatcher-2`. */
  name: string;
  /** What `status`, `restart` and `logs` accept for it and its siblings, e.g. `dispatcher`. */
  service: string;
  command: string;
  args: string[];
  /** On top of the environment `up` was started with. */
  env: Record<string, string>;
  directory?: string;
  /** How `up` and `status` tell it serves: `/health/ready` answers 200, or the port accepts connections. */
  ready: { kind: 'http'; url: string } | { kind: 'tcp'; port: number };
  /** Shown by `up` beside the name. */
  url: string;
  /** Lower starts first and stops last: the servers before the services that need them. */
  priority: number;
  /** Seconds from SIGTERM to SIGKILL on stop: a service finishes its in-flight work meanwhile. */
  stopWaitSecs: number;
  /** Files `up` writes before starting it (its configuration). */
  files?: { path: string; content: string }[];
}

/** Adds programs to the stack from its settings; none when the operator points at a server of their own. */
export type ProgramSource = (settings: StackSettings, urls: InfraUrls) => Program[];

/** Where the services find NATS and MongoDB: the stack's own servers, or NATS_URL / MONGO_URL. */
export interface InfraUrls {
  natsUrl: string;
  mongoUrl: string;
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number): number =>
  env[name] ? Number(env[name]) : fallback;

export function infraUrls(settings: StackSettings): InfraUrls {
  const { env } = settings;
  const mongoBase = env.MONGO_URL ?? `mongodb://127.0.0.1:${port(env, 'MONGO_PORT', 27017)}/`;
  const mongo = new URL(mongoBase);
  if (mongo.pathname === '/' || mongo.pathname === '') mongo.pathname = '/hookline';
  return { natsUrl: env.NATS_URL ?? `nats://127.0.0.1:${port(env, 'NATS_PORT', 4222)}`, mongoUrl: mongo.toString() };
}

const natsServer: ProgramSource = ({ env, state }) => {
  if (env.NATS_URL) return [];
  const p = port(env, 'NATS_PORT', 4222);
  const server = natsServerCommand(p, join(state, 'data', 'nats'));
  return [
    {
      name: 'nats',
      service: 'nats',
      ...server,
      ready: { kind: 'tcp', port: p },
      url: `nats://127.0.0.1:${p} (${server.source})`,
      priority: 10,
      stopWaitSecs: 30,
    },
  ];
};

const mongoWireServer: ProgramSource = ({ env, state }) => {
  if (env.MONGO_URL) return [];
  const p = port(env, 'MONGO_PORT', 27017);
  const server = mongoServerCommand(p, join(state, 'data', 'mongo'));
  return [
    {
      name: 'mongo',
      service: 'mongo',
      ...server,
      ready: { kind: 'tcp', port: p },
      url: `mongodb://127.0.0.1:${p} (${server.source})`,
      priority: 10,
      stopWaitSecs: 30,
    },
  ];
};

/** Instance n of a service listens 10 ports above instance n-1 (dispatcher 8084, 8094, 8104 ...). */
export const INSTANCE_PORT_STEP = 10;

const instancePorts = (settings: StackSettings, spec: (typeof SERVICES)[number]): number[] =>
  Array.from(
    { length: settings.instances[spec.name] ?? 1 },
    (_, i) => servicePort(spec, settings.env) + i * INSTANCE_PORT_STEP,
  );

/** The one public origin: HOOKLINE_PORT, the URL `up` prints first. */
export function publicUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${port(env, 'HOOKLINE_PORT', 8080)}`;
}

const hooklineServices: ProgramSource = (settings, urls) =>
  SERVICES.flatMap((spec) =>
    instancePorts(settings, spec).map((p, i) => {
      const app = join(settings.root, 'apps', spec.name);
      return {
        name: i === 0 ? spec.name : `${spec.name}-${i + 1}`,
        service: spec.name,
        command: process.execPath,
        args: [...SERVICE_NODE_FLAGS, join(app, 'dist', 'main.js')],
        env: {
          LOG_LEVEL: settings.env.LOG_LEVEL ?? 'info',
          PORT: String(p),
          NATS_URL: urls.natsUrl,
          MONGO_URL: urls.mongoUrl,
          HOOKLINE_ADMIN_KEY: settings.adminKey,
          HOOKLINE_ENCRYPTION_KEY: settings.encryptionKey,
          // Hook URLs and _refs point at the front door, the origin users reach.
          PUBLIC_BASE_URL: settings.env.PUBLIC_BASE_URL ?? publicUrl(settings.env),
        },
        directory: app,
        ready: { kind: 'http', url: `http://127.0.0.1:${p}/health/ready` },
        url: `http://127.0.0.1:${p}   (docs: http://127.0.0.1:${p}/docs)`,
        priority: 100,
        // The services' own SHUTDOWN_TIMEOUT_MS (10 s) and a margin.
        stopWaitSecs: 15,
      };
    }),
  );

/**
 * Caddy in front of every service (docs/decisions/001-front-door.md), its configuration made from
 * the route table and written beside the supervisor's; each instance of a service is an upstream.
 */
const frontDoor: ProgramSource = (settings) => {
  const p = port(settings.env, 'HOOKLINE_PORT', 8080);
  const dir = join(settings.state, 'front-door');
  const config = caddyConfig({
    listen: `127.0.0.1:${p}`,
    upstream: (service) => {
      const spec = SERVICES.find((s) => s.name === service);
      if (!spec) throw new Error(`the route table names an unknown service ${service}`);
      return instancePorts(settings, spec).map((servicePortN) => `127.0.0.1:${servicePortN}`);
    },
    siteDir: SITE_DIR,
    consoleDir: consoleDir(),
  });
  const file = join(dir, 'caddy.json');
  return [
    {
      name: 'front-door',
      service: 'front-door',
      command: findExecutable('caddy') ?? 'caddy',
      args: ['run', '--config', file],
      // Caddy keeps autosaved state under XDG dirs: in the stack's state, not $HOME.
      env: { XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), ...FRONT_DOOR_GO_ENV },
      ready: { kind: 'tcp', port: p },
      url: `${publicUrl(settings.env)}   (API reference: ${publicUrl(settings.env)}/docs)`,
      priority: 200,
      stopWaitSecs: 10,
      files: [{ path: file, content: JSON.stringify(config, null, 2) }],
    },
  ];
};

/**
 * Every program `./hookline up` runs. One more supervised process is one more entry: a
 * ProgramSource that returns its Program (see docs/operations.md).
 */
export const PROGRAMS: readonly ProgramSource[] = [natsServer, mongoWireServer, hooklineServices, frontDoor];

export function stackPrograms(settings: StackSettings): Program[] {
  const urls = infraUrls(settings);
  return PROGRAMS.flatMap((source) => source(settings, urls));
}
