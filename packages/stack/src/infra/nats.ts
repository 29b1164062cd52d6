import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, findGo, runGo } from './go-build';
import {
  findExecutable,
  freePort,
  isPortFree,
  spawnServer,
  stopProcess,
  waitForPort,
  type RunningServer,
  type ServerCommand,
} from './process';

export interface StartNatsOptions {
  /** Preferred port (used when free); a free port otherwise. */
  port?: number;
  /** Keep the JetStream store here (the local stack); a temp dir removed on stop otherwise. */
  storeDir?: string;
  /** Ignore NATS_URL and always start a private server (fault tests restart it). */
  private?: boolean;
}

/** `NATS_URL` when set; else a `nats-server -js` of our own on a free port. */
export async function startNats(options: StartNatsOptions = {}): Promise<RunningServer> {
  if (process.env.NATS_URL && !options.private) {
    return { url: process.env.NATS_URL, source: 'NATS_URL', stop: async () => {} };
  }
  const port = options.port && (await isPortFree(options.port)) ? options.port : await freePort();
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'hookline-nats-'));
  mkdirSync(storeDir, { recursive: true });
  const command = natsServerCommand(port, storeDir);
  const server = spawnServer(command.command, command.args);
  return startedServer(`nats://127.0.0.1:${port}`, port, server, command.source, async () => {
    if (!options.storeDir) rmSync(storeDir, { recursive: true, force: true });
  });
}

/**
 * The nats-server the stack runs: 2.9 (Debian's package) can deliver the last message of a stream
 * again when a nak-delayed redelivery falls due into a stopped consumer's pull (docs/operations.md,
 * Known issues), so a release built from the Go module proxy comes first.
 */
export const NATS_SERVER_VERSION = 'v2.12.15';
const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';

/** nats-server with JetStream on 127.0.0.1:`port`, its store in `storeDir`. */
export function natsServerCommand(port: number, storeDir: string): ServerCommand {
  const built = ensureNatsServer();
  const binary = built ?? findExecutable('nats-server');
  if (!binary) {
    throw new Error(
      'nats-server is not installed: install Go (to build it), `apt-get install -y nats-server`, or set NATS_URL.',
    );
  }
  return {
    command: binary,
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    env: {},
    source: built ? `nats-server ${NATS_SERVER_VERSION}` : 'nats-server',
  };
}

/**
 * Path of nats-server NATS_SERVER_VERSION, built with `go install` on first use and cached;
 * undefined where there is no Go (the nats-server on PATH serves then).
 */
export function ensureNatsServer(): string | undefined {
  // A directory per version keeps the program's name `nats-server` (what ps and the benches show).
  const dir = join(cacheDir(), `nats-server-${NATS_SERVER_VERSION}`);
  const binary = join(dir, 'nats-server');
  if (existsSync(binary)) return binary;
  const go = findGo();
  if (!go) return undefined;
  mkdirSync(cacheDir(), { recursive: true });
  // A directory per build: two builds at once (setup beside a test run) each rename a whole one.
  const gobin = mkdtempSync(join(cacheDir(), 'nats-server-build-'));
  try {
    runGo(go, ['install', `${NATS_SERVER_MODULE}@${NATS_SERVER_VERSION}`], tmpdir(), { GOBIN: gobin });
    rmSync(dir, { recursive: true, force: true });
    renameSync(gobin, dir);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  return binary;
}

/** Shared by the NATS and MongoDB starters: wait for the port, stop cleanly, explain failures. */
export async function startedServer(
  url: string,
  port: number,
  server: ReturnType<typeof spawnServer>,
  what: string,
  cleanup: () => Promise<void>,
): Promise<RunningServer> {
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopProcess(server.child);
    await cleanup();
  };
  try {
    await waitForPort(port, server.child, what);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${server.output()}`, { cause: err });
  }
  return { url, source: `${what} (pid ${server.child.pid})`, pid: server.child.pid, stop };
}
