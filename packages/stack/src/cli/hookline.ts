#!/usr/bin/env node
/**
 * `./hookline up|down|status|restart|logs`: the local stack under supervisord. `up` writes the
 * supervisor's config from the program list (supervise/programs.ts), starts it and waits until
 * every program is ready; the stack then runs on its own, and a foreground `up` stops it on Ctrl-C.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICES } from '../services';
import {
  logTail,
  newAdminKey,
  newEncryptionKey,
  parseInstances,
  persistentSecret,
  programsNamed,
  stackStatus,
  startSupervised,
  stateDir,
  StackError,
  stopSupervised,
  supervisordPid,
  tailLogs,
  waitUntilReady,
  type ProgramStatus,
} from '../supervise/control';
import { publicUrl, type Program } from '../supervise/programs';
import { clearExits } from '../supervise/crash-loop';
import { supervisorctl } from '../supervise/supervisord';

const ROOT = resolve(__dirname, '../../../..');
const STATE = stateDir(ROOT);
/** FerretDB's first start and six services on a busy two-core machine. */
const UP_TIMEOUT_MS = 300_000;
const RESTART_TIMEOUT_MS = 90_000;

const out = (line = ''): boolean => process.stdout.write(`${line}\n`);

async function up(args: string[]): Promise<number> {
  const detach = args.includes('--detach');
  const i = args.indexOf('--instances');
  const instances = i >= 0 ? parseInstances(args[i + 1] ?? '') : {};
  const unknown = args.filter((a, n) => a !== '--detach' && a !== '--instances' && args[n - 1] !== '--instances');
  if (unknown.length > 0)
    throw new StackError(`up: unknown ${unknown.join(' ')} (up [--detach] [--instances a=2,b=2])`);
  mkdirSync(STATE, { recursive: true });
  const adminKey = persistentSecret(STATE, 'admin-key', process.env.HOOKLINE_ADMIN_KEY, newAdminKey);
  const encryptionKey = persistentSecret(
    STATE,
    'encryption-key',
    process.env.HOOKLINE_ENCRYPTION_KEY,
    newEncryptionKey,
  );
  const programs = await startSupervised({
    root: ROOT,
    state: STATE,
    env: process.env,
    adminKey,
    encryptionKey,
    instances,
  });
  let stopping: Promise<void> | undefined;
  const stop = async (code: number): Promise<number> => {
    stopping ??= (async () => {
      out('\nStopping Hookline...');
      await stopSupervised(STATE);
      out('Stopped.');
    })();
    await stopping;
    return code;
  };
  process.on('SIGINT', () => void stop(0).then((code) => process.exit(code)));
  process.on('SIGTERM', () => void stop(0).then((code) => process.exit(code)));

  const notReady = await waitUntilReady(STATE, UP_TIMEOUT_MS);
  if (notReady.length > 0) {
    for (const p of notReady) {
      process.stderr.write(
        `${p.name}: ${p.state} ${p.description}; ${p.readyDetail}\n${indent(logTail(STATE, p.name))}\n`,
      );
    }
    process.stderr.write(`Hookline did not come up; logs in ${STATE}/logs\n`);
    return stop(1);
  }
  const keyAccepted = await adminKeyWorks(programs, adminKey);
  printUp(programs, keyAccepted ? adminKey : undefined, detach);
  if (detach) return 0;
  // In the foreground until Ctrl-C; should supervisord go away meanwhile (./hookline down), so does this.
  while (supervisordPid(STATE) !== undefined) await new Promise((r) => setTimeout(r, 1_000));
  // A Ctrl-C stops supervisord first: finish that stop (and its "Stopped.") before exiting.
  if (stopping) return stop(0);
  out('Hookline was stopped.');
  return 0;
}

/** The registry accepts the key: `up` prints no key the stack refuses. */
async function adminKeyWorks(programs: Program[], key: string): Promise<boolean> {
  const registry = programs.find((p) => p.name === 'registry');
  if (!registry || registry.ready.kind !== 'http') return false;
  const response = await fetch(new URL('/api/v2/apikey', registry.ready.url), {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  return response?.status === 200;
}

function printUp(programs: Program[], adminKey: string | undefined, detach: boolean): void {
  const url = publicUrl(process.env);
  out(`Hookline: ${url}   (API reference: ${url}/docs, document: ${url}/openapi.json)`);
  out();
  out('Programs (supervisord keeps each running; services answer /health/ready on their own ports):');
  for (const p of programs) out(`  ${p.name.padEnd(17)} ${p.url}`);
  out();
  out(
    adminKey
      ? `Admin API key: ${adminKey}`
      : 'Admin API key: the registry refuses the configured key (was it revoked?); start with a new HOOKLINE_ADMIN_KEY',
  );
  out(`Logs: ${STATE}/logs   (./hookline logs <service> [-f])`);
  out('Status: ./hookline status   Restart one: ./hookline restart <service>');
  out(detach ? 'Stop it with: ./hookline down' : 'Press Ctrl-C to stop.');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function printStatus(programs: ProgramStatus[]): void {
  const rows = [
    ['PROGRAM', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'RECENT-EXITS', 'READY'],
    ...programs.map((p) => [
      p.name,
      p.state,
      p.pid ? String(p.pid) : '-',
      p.uptime ?? '-',
      String(p.restarts),
      String(p.recentExits),
      ['FATAL', 'BACKOFF', 'CRASH-LOOP'].includes(p.state) ? `${p.readyDetail}; ${p.description}` : p.readyDetail,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) out(row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'up':
      return up(args);
    case 'down':
      if (!(await stopSupervised(STATE))) {
        out('Hookline is not running');
        return 0;
      }
      out('stopped');
      return 0;
    case 'status': {
      const programs = await stackStatus(STATE);
      printStatus(programs);
      return programs.every((p) => p.ready && p.state === 'RUNNING') ? 0 : 3;
    }
    case 'restart': {
      if (!args[0]) throw new StackError(`restart <service>: one of ${SERVICES.map((s) => s.name).join(', ')}`);
      const names = programsNamed(STATE, args[0]);
      // Out of a crash loop too: the operator starts it again, with a fresh count.
      clearExits(STATE, names);
      const result = supervisorctl(STATE, ['restart', ...names]);
      process.stdout.write(result.output);
      const notReady = await waitUntilReady(STATE, RESTART_TIMEOUT_MS, names);
      for (const p of notReady) process.stderr.write(`${p.name}: ${p.state}; ${p.readyDetail}\n`);
      return notReady.length === 0 ? 0 : 1;
    }
    case 'logs': {
      if (!args[0]) throw new StackError('logs <service> [-f]');
      return tailLogs(STATE, programsNamed(STATE, args[0]), args.includes('-f'));
    }
    default:
      throw new StackError(
        'usage: up [--detach] [--instances a=2,b=2] | down | status | restart <service> | logs <service> [-f]',
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof StackError ? err.message : String((err as Error).stack ?? err)}\n`);
    process.exit(err instanceof StackError ? 2 : 1);
  },
);
