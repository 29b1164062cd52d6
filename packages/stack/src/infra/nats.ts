import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** nats-server with JetStream on 127.0.0.1:`port`, its store in `storeDir`. */
export function natsServerCommand(port: number, storeDir: string): ServerCommand {
  const binary = findExecutable('nats-server');
  if (!binary) {
    throw new Error('nats-server is not installed: run `apt-get install -y nats-server` (or set NATS_URL).');
  }
  return {
    command: binary,
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    env: {},
    source: 'nats-server',
  };
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
