import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canConnect, isPortFree } from '../infra/process';
import { SERVICES } from '../services';
import {
  crashLoopLimits,
  DEFAULT_CRASH_LOOP_LIMITS,
  readExits,
  recentExits,
  writeExits,
  type CrashLoopLimits,
} from './crash-loop';
import { publicUrl, stackPrograms, type Program, type StackSettings } from './programs';
import {
  parseStatus,
  renderSupervisordConfig,
  restartCounts,
  supervisorctl,
  supervisorExecutables,
  supervisorPaths,
  type ProgramState,
} from './supervisord';

/** What `up` leaves in the state directory for `status`, `restart` and `logs` (no secrets). */
interface StackFile {
  /** The front door: the one URL of the whole API. */
  url: string;
  programs: Pick<Program, 'name' | 'service' | 'ready' | 'url'>[];
  crashLoop: CrashLoopLimits;
}

export class StackError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The stack's state directory: HOOKLINE_STATE_DIR, else `.hookline/` in the repository. */
export function stateDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.HOOKLINE_STATE_DIR ?? join(root, '.hookline');
}

/** `dispatcher=2,matcher=2` as instances per service; throws naming what is wrong. */
export function parseInstances(spec: string): Record<string, number> {
  const instances: Record<string, number> = {};
  for (const part of spec.split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*([a-z-]+)=(\d+)\s*$/.exec(part);
    if (!m) throw new StackError(`--instances: "${part}" is not <service>=<count>`);
    const [, service, count] = m;
    if (!SERVICES.some((s) => s.name === service))
      throw new StackError(`--instances: no service "${service}" (one of ${SERVICES.map((s) => s.name).join(', ')})`);
    const n = Number(count);
    if (n < 1 || n > 9) throw new StackError(`--instances: ${service}=${n}, but 1 to 9 instances are possible`);
    instances[service] = n;
  }
  return instances;
}

/**
 * A secret kept in the state directory across runs. A value given in the environment wins and is
 * kept as the new one, so a later `up` without it does not go back to the old.
 */
export function persistentSecret(state: string, file: string, given: string | undefined, make: () => string): string {
  const path = join(state, file);
  if (given) {
    writeFileSync(path, `${given}\n`, { mode: 0o600 });
    return given;
  }
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

/** The pid of the stack's supervisord when it runs. */
export function supervisordPid(state: string): number | undefined {
  const { pidfile } = supervisorPaths(state);
  if (!existsSync(pidfile)) return undefined;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function portOf(program: Program): number {
  return program.ready.kind === 'tcp' ? program.ready.port : Number(new URL(program.ready.url).port);
}

function readStackFile(state: string): StackFile {
  if (supervisordPid(state) === undefined) throw new StackError('Hookline is not running (./hookline up starts it)');
  return JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as StackFile;
}

/**
 * Writes supervisord's config for the settings (or for the given programs) and starts it; the
 * programs start in priority order.
 */
export async function startSupervised(
  settings: StackSettings,
  programs: Program[] = stackPrograms(settings),
): Promise<Program[]> {
  const { state } = settings;
  if (supervisordPid(state) !== undefined)
    throw new StackError(`Hookline is already running (state in ${state}): ./hookline down stops it`);
  let crashLoop: CrashLoopLimits;
  try {
    crashLoop = crashLoopLimits(settings.env);
  } catch (err) {
    throw new StackError((err as Error).message);
  }
  const busy: string[] = [];
  for (const program of programs)
    if (!(await isPortFree(portOf(program)))) busy.push(`${program.name} (${portOf(program)})`);
  if (busy.length > 0) {
    throw new StackError(
      `ports in use: ${busy.join(', ')}; choose others with NATS_PORT, MONGO_PORT, REGISTRY_PORT, CHANGE_INGEST_PORT, ` +
        'MATCHER_PORT, DISPATCHER_PORT, INCOMING_HOOKS_PORT, TUNNEL_GATEWAY_PORT, HOOKLINE_PORT',
    );
  }
  const paths = supervisorPaths(state);
  mkdirSync(paths.logs, { recursive: true });
  for (const { path, content } of programs.flatMap((program) => program.files ?? [])) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  writeFileSync(paths.config, renderSupervisordConfig(state, programs, crashLoop), { mode: 0o600 });
  // A new stack, a new count: exits of the last one say nothing of this one.
  writeExits(state, {});
  const file: StackFile = {
    url: publicUrl(settings.env),
    programs: programs.map(({ name, service, ready, url }) => ({ name, service, ready, url })),
    crashLoop,
  };
  writeFileSync(join(state, 'stack.json'), JSON.stringify(file, null, 2));
  // supervisord forks into the background and returns: the stack outlives this process.
  const started = spawnSync(supervisorExecutables().supervisord, ['-c', paths.config], {
    encoding: 'utf8',
    env: settings.env,
  });
  if (started.status !== 0) throw new StackError(`supervisord did not start: ${started.stderr || started.stdout}`);
  // Its background half writes the pid file a moment after the foreground half returned.
  const deadline = Date.now() + 10_000;
  while (supervisordPid(state) === undefined) {
    if (Date.now() > deadline) throw new StackError(`supervisord did not start; see ${paths.log}`);
    await sleep(100);
  }
  return programs;
}

/** Whether a program serves: `/health/ready` says ready, or its port accepts connections. */
export async function readiness(program: Pick<Program, 'ready'>): Promise<{ ready: boolean; detail: string }> {
  if (program.ready.kind === 'tcp') {
    const ok = await canConnect(program.ready.port);
    return { ready: ok, detail: ok ? 'ready' : `not ready: port ${program.ready.port} refuses connections` };
  }
  try {
    const response = await fetch(program.ready.url, { signal: AbortSignal.timeout(3_000) });
    if (response.status === 200) return { ready: true, detail: 'ready' };
    const body = (await response.json().catch(() => ({}))) as {
      checks?: Record<string, { ok: boolean; detail?: string }>;
    };
    const failing = Object.entries(body.checks ?? {})
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}${check.detail ? ` (${check.detail})` : ''}`);
    return { ready: false, detail: `not ready: ${failing.join(', ') || `HTTP ${response.status}`}` };
  } catch {
    return { ready: false, detail: 'not ready: no answer' };
  }
}

export interface ProgramStatus extends ProgramState {
  service: string;
  restarts: number;
  /** Exits within the crash-loop window (a kill, a crash, a restart of its own). */
  recentExits: number;
  ready: boolean;
  readyDetail: string;
}

/** Every program of the running stack: the supervisor's state, restarts and readiness. */
export async function stackStatus(state: string): Promise<ProgramStatus[]> {
  const { programs, crashLoop = DEFAULT_CRASH_LOOP_LIMITS } = readStackFile(state);
  const exits = readExits(state);
  const now = Date.now();
  const states = new Map(parseStatus(supervisorctl(state, ['status']).output).map((s) => [s.name, s]));
  const log = supervisorPaths(state).log;
  const restarts = restartCounts(existsSync(log) ? readFileSync(log, 'utf8') : '');
  return Promise.all(
    programs.map(async (program) => {
      const supervised = states.get(program.name) ?? { name: program.name, state: 'UNKNOWN', description: '' };
      // supervisorctl shows no pid while a program is STARTING; it answers when asked for it.
      if (supervised.pid === undefined && ['STARTING', 'STOPPING'].includes(supervised.state)) {
        const pid = Number(supervisorctl(state, ['pid', program.name]).output.trim());
        if (pid > 0) supervised.pid = pid;
      }
      const { ready, detail } = await readiness(program);
      const record = exits[program.name];
      // Stopped by the crash-loop listener, and not started since by `restart`.
      const looping = record?.stoppedAt !== undefined && supervised.state !== 'RUNNING';
      return {
        ...supervised,
        ...(looping && {
          state: 'CRASH-LOOP',
          description:
            `exited ${record.exits.length} times within ${crashLoop.windowSeconds} s, so it was stopped; ` +
            `its log may tell why (./hookline logs ${program.name}); ./hookline restart ${program.name} starts it again`,
        }),
        service: program.service,
        restarts: restarts.get(program.name) ?? 0,
        recentExits: recentExits(record, crashLoop, now).length,
        ready,
        readyDetail: detail,
      };
    }),
  );
}

/** States in which nothing will start the program again by itself. */
const GAVE_UP = ['FATAL', 'CRASH-LOOP'];

/**
 * Waits until every named program (all when none are named) is ready, or one is FATAL, or time is
 * up; answers the programs that are not ready (empty when all are).
 */
export async function waitUntilReady(state: string, timeoutMs: number, names?: string[]): Promise<ProgramStatus[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await stackStatus(state);
    const watched = names ? all.filter((p) => names.includes(p.name)) : all;
    const notReady = watched.filter((p) => !p.ready || GAVE_UP.includes(p.state));
    if (notReady.length === 0 || notReady.some((p) => GAVE_UP.includes(p.state)) || Date.now() > deadline)
      return notReady;
    await sleep(250);
  }
}

/** The programs a name stands for: a service's every instance, or one program by its own name. */
export function programsNamed(state: string, name: string): string[] {
  const { programs } = readStackFile(state);
  const matching = programs.filter((p) => p.service === name || p.name === name).map((p) => p.name);
  if (matching.length === 0)
    throw new StackError(
      `no program "${name}" (one of ${[...new Set(programs.flatMap((p) => [p.service, p.name]))].join(', ')})`,
    );
  return matching;
}

/** Stops every program (services first, the servers last) and supervisord itself. */
export async function stopSupervised(state: string): Promise<boolean> {
  const pid = supervisordPid(state);
  if (pid === undefined) return false;
  supervisorctl(state, ['shutdown']);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (supervisordPid(state) === undefined) return true;
    await sleep(250);
  }
  process.kill(pid, 'SIGKILL');
  return true;
}

/** The last lines of a program's log, for the message of a program that did not come up. */
export function logTail(state: string, name: string, lines = 15): string {
  const file = join(supervisorPaths(state).logs, `${name}.log`);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Follows (or prints the end of) the named programs' logs, as `tail` does. */
export function tailLogs(state: string, names: string[], follow: boolean): Promise<number> {
  const files = names.map((name) => join(supervisorPaths(state).logs, `${name}.log`));
  const tail = spawn('tail', ['-n', '100', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' });
  return new Promise((resolve) => tail.once('exit', (code) => resolve(code ?? 0)));
}

/** A new bootstrap admin key. */
export const newAdminKey = (): string => `hk_admin_${randomBytes(24).toString('base64url')}`;
export const newEncryptionKey = (): string => randomBytes(32).toString('base64');
