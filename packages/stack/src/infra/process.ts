import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A server started for a test run or the local stack; `stop` is safe to call twice. */
export interface RunningServer {
  url: string;
  /** How it was obtained, for the log line that says what is being used. */
  source: string;
  /** The server's process when this run started it (not for MONGO_URL, NATS_URL or a container). */
  pid?: number;
  stop(): Promise<void>;
}

/** A command line that runs a server, for a test to spawn or a supervisor to keep running. */
export interface ServerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** What it is, for the line that says what is being used. */
  source: string;
}

/** Finds an executable on PATH (and the sbin directories Debian packages use). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Ports handed out below Linux's ephemeral range (32768-60999): a port the kernel picked with
 * `listen(0)` can be taken as the local port of an outgoing connection before the server that was
 * given it binds (seconds later for a front door started after its services), which made tests
 * fail with "port in use" on busy runs.
 */
const PORT_RANGE = { from: 20_000, to: 32_767 };
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from + 1));
    if (handedOut.has(port) || !(await isPortFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${PORT_RANGE.from} and ${PORT_RANGE.to} after 200 tries`);
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Waits until something accepts TCP connections on the port, or the child exits, or time runs out. */
export async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not accept connections on port ${port} within ${timeoutMs} ms`);
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Spawns a server process (with `env` on top of this process's) whose output goes to a log buffer (shown when it fails to start). */
export function spawnServer(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  // Its own process group: a Ctrl-C in the terminal reaches only the stack, which stops servers in order.
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function commandSucceeds(command: string, args: string[], timeoutMs = 5_000): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: timeoutMs });
  return result.status === 0;
}
