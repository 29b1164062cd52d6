import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findExecutable } from '../infra/process';
import { DEFAULT_CRASH_LOOP_LIMITS, type CrashLoopLimits } from './crash-loop';
import type { Program } from './programs';

/**
 * How supervisord restarts: a program must stay up START_SECS to count as started; one that dies
 * sooner is started again after 1 s, 2 s, 3 s ... and after START_RETRIES such tries is left FATAL
 * (shown by `status`). One that crashes after that is started again at once, until the
 * crash-loop listener stops it (crash-loop.ts).
 */
export const START_SECS = 10;
export const START_RETRIES = 3;

/** Where supervisord keeps its files inside the stack's state directory. */
export function supervisorPaths(state: string): {
  config: string;
  socket: string;
  pidfile: string;
  log: string;
  logs: string;
} {
  return {
    config: join(state, 'supervisord.conf'),
    socket: join(state, 'supervisor.sock'),
    pidfile: join(state, 'supervisord.pid'),
    log: join(state, 'logs', 'supervisord.log'),
    logs: join(state, 'logs'),
  };
}

/** supervisord expands `%(name)s` in its values, so a literal % is written %%. */
const literal = (value: string): string => value.replaceAll('%', '%%');

/** One word of a command line, quoted the way supervisord's shlex split reads it back. */
function word(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? literal(value) : `"${literal(value).replace(/(["\\])/g, '\\$1')}"`;
}

function environment(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}="${literal(value).replace(/(["\\])/g, '\\$1')}"`)
    .join(',');
}

/** The whole supervisord.conf for these programs, each logging to `<logs>/<name>.log`. */
export function renderSupervisordConfig(
  state: string,
  programs: readonly Program[],
  crashLoop: CrashLoopLimits = DEFAULT_CRASH_LOOP_LIMITS,
): string {
  const paths = supervisorPaths(state);
  const listener = [
    process.execPath,
    join(__dirname, 'crash-loop-listener.js'),
    state,
    String(crashLoop.exits),
    String(crashLoop.windowSeconds),
  ];
  const sections = [
    ['unix_http_server', { file: paths.socket, chmod: '0700' }],
    [
      'supervisord',
      {
        logfile: paths.log,
        pidfile: paths.pidfile,
        childlogdir: paths.logs,
        // Each stack its own identity: several state directories (worktrees, tests) side by side.
        identifier: `hookline-${state}`,
      },
    ],
    [
      'rpcinterface:supervisor',
      { 'supervisor.rpcinterface_factory': 'supervisor.rpcinterface:make_main_rpcinterface' },
    ],
    ['supervisorctl', { serverurl: `unix://${paths.socket}` }],
    ...programs.map(
      (program) =>
        [
          `program:${program.name}`,
          {
            command: [program.command, ...program.args].map(word).join(' '),
            ...(program.directory ? { directory: program.directory } : {}),
            environment: environment(program.env),
            priority: String(program.priority),
            autostart: 'true',
            autorestart: 'true',
            startsecs: String(START_SECS),
            startretries: String(START_RETRIES),
            stopsignal: 'TERM',
            stopwaitsecs: String(program.stopWaitSecs),
            stopasgroup: 'true',
            killasgroup: 'true',
            redirect_stderr: 'true',
            stdout_logfile: join(paths.logs, `${program.name}.log`),
            stdout_logfile_maxbytes: '20MB',
            stdout_logfile_backups: '3',
          },
        ] as const,
    ),
    [
      'eventlistener:crash-loop',
      {
        command: listener.map(word).join(' '),
        events: 'PROCESS_STATE_EXITED',
        priority: '1',
        autostart: 'true',
        autorestart: 'true',
        // Its stdout is the protocol with supervisord, nothing to keep.
        stdout_logfile: 'NONE',
        stderr_logfile: join(paths.logs, 'crash-loop.log'),
        stderr_logfile_maxbytes: '1MB',
        stderr_logfile_backups: '1',
      },
    ] as const,
  ] as const;
  return sections
    .map(([name, values]) => [`[${name}]`, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}

/** A program as `supervisorctl status` shows it. */
export interface ProgramState {
  name: string;
  /** STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED, FATAL or UNKNOWN. */
  state: string;
  pid?: number;
  /** As supervisord prints it, e.g. `0:01:02` or `1 day, 2:03:04`. */
  uptime?: string;
  /** The rest of the line when not running, e.g. `Exited too quickly (process log may have details)`. */
  description: string;
}

/** Reads `supervisorctl status` lines. */
export function parseStatus(output: string): ProgramState[] {
  return output
    .split('\n')
    .map((line) => /^(\S+)\s+([A-Z]+)\s*(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, name, state, description]) => {
      const running = /^pid (\d+), uptime (.+)$/.exec(description);
      return {
        name,
        state,
        ...(running ? { pid: Number(running[1]), uptime: running[2] } : {}),
        description,
      };
    });
}

/**
 * How many times supervisord started each program since it last started itself, less the first
 * start: crashes and `restart`s alike.
 */
export function restartCounts(supervisordLog: string): Map<string, number> {
  const lines = supervisordLog.split('\n');
  let from = 0;
  lines.forEach((line, i) => {
    if (/supervisord started with pid/.test(line)) from = i;
  });
  const spawns = new Map<string, number>();
  for (const line of lines.slice(from)) {
    const m = /spawned: '([^']+)' with pid/.exec(line);
    if (m) spawns.set(m[1], (spawns.get(m[1]) ?? 0) + 1);
  }
  return new Map([...spawns].map(([name, n]) => [name, n - 1]));
}

/** The supervisord executables, from Debian's `supervisor` package (`./hookline` installs it). */
export function supervisorExecutables(): { supervisord: string; supervisorctl: string } {
  const supervisord = findExecutable('supervisord');
  const supervisorctl = findExecutable('supervisorctl');
  if (!supervisord || !supervisorctl) {
    throw new Error('supervisord is not installed: run `apt-get install -y supervisor` (./hookline up does).');
  }
  return { supervisord, supervisorctl };
}

/** Runs supervisorctl against the stack's supervisord; its output and exit status. */
export function supervisorctl(state: string, args: string[]): { status: number; output: string } {
  const result = spawnSync(supervisorExecutables().supervisorctl, ['-c', supervisorPaths(state).config, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
