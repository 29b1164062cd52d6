import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, isPortFree, waitFor } from '@hookline/testing';
import { startSupervised, stopSupervised } from '../../packages/stack/dist/supervise/control';
import { BOOTSTRAP_KEY_ID } from '../../apps/registry/src/apikey/apikey.service';

/**
 * `./hookline up` as an operator runs it (the built CLI, supervisord, its own state directory and
 * ports): kill -9 of a service is repaired within seconds while the others keep running, `status`,
 * `restart` and `logs` work, two instances of a service share the work, Ctrl-C stops everything,
 * and a service that cannot start is reported FATAL rather than restarted for ever.
 */
const CLI = resolve(__dirname, '../../packages/stack/dist/cli/hookline.js');
const PORT_ENVS = [
  'REGISTRY_PORT',
  'CHANGE_INGEST_PORT',
  'MATCHER_PORT',
  'DISPATCHER_PORT',
  'INCOMING_HOOKS_PORT',
  'TUNNEL_GATEWAY_PORT',
  'NATS_PORT',
  'MONGO_PORT',
  'HOOKLINE_PORT',
];

/** Each service and the setting of its (first instance's) port. */
const SERVICE_PORTS = [
  ['registry', 'REGISTRY_PORT'],
  ['change-ingest', 'CHANGE_INGEST_PORT'],
  ['matcher', 'MATCHER_PORT'],
  ['dispatcher', 'DISPATCHER_PORT'],
  ['incoming-hooks', 'INCOMING_HOOKS_PORT'],
  ['tunnel-gateway', 'TUNNEL_GATEWAY_PORT'],
] as const;

interface Row {
  program: string;
  state: string;
  pid: number;
  restarts: number;
  recentExits: number;
  ready: string;
}

/** A port free itself and 10 above it (a second instance's). */
async function portPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65_000 && (await isPortFree(port + 10))) return port;
  }
}

async function stackEnv(state: string, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOOKLINE_STATE_DIR: state, ...extra };
  for (const name of ['NATS_URL', 'MONGO_URL', 'HOOKLINE_ADMIN_KEY']) delete env[name];
  for (const name of PORT_ENVS) env[name] = String(await portPair());
  return env;
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function status(env: NodeJS.ProcessEnv): Map<string, Row> {
  const lines = cli(env, 'status').stdout.trim().split('\n').slice(1);
  return new Map(
    lines.map((line) => {
      const [program, state, pid, , restarts, recentExits, ...ready] = line.split(/\s+/);
      const row = { program, state, pid: Number(pid), restarts: Number(restarts), recentExits: Number(recentExits) };
      return [program, { ...row, ready: ready.join(' ') }];
    }),
  );
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts a foreground `up` and resolves once it printed that the stack is up. */
async function upInForeground(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'up', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => Promise.resolve(output.includes('Press Ctrl-C to stop.') || child.exitCode !== null),
    240_000,
    200,
  );
  if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode}:\n${output}`);
  return { child, output: () => output };
}

describe('./hookline up under supervisord', () => {
  const states: string[] = [];
  const envs: NodeJS.ProcessEnv[] = [];

  const newStack = async (extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> => {
    const state = mkdtempSync(join(tmpdir(), 'hookline-supervised-'));
    states.push(state);
    const env = await stackEnv(state, extra);
    envs.push(env);
    return env;
  };

  afterAll(() => {
    for (const env of envs) cli(env, 'down');
    for (const state of states) rmSync(state, { recursive: true, force: true });
  });

  it('repairs a kill -9 of each service within seconds, restarts and shows logs, runs two dispatchers, stops on Ctrl-C', async () => {
    const env = await newStack();
    const { child, output } = await upInForeground(env, '--instances', 'dispatcher=2');
    const dispatcher2Port = Number(env.DISPATCHER_PORT) + 10;
    expect(output()).toContain(`dispatcher-2      http://127.0.0.1:${dispatcher2Port}`);
    const adminKey = /Admin API key: (hk_admin_\S+)/.exec(output())?.[1];
    // The one URL, printed first, reaches the registry through the supervised front door.
    expect(output()).toContain(`Hookline: http://127.0.0.1:${env.HOOKLINE_PORT}`);
    const keys = await fetch(`http://127.0.0.1:${env.HOOKLINE_PORT}/api/v2/apikey`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(keys.status).toBe(200);

    const before = status(env);
    expect([...before.keys()]).toEqual([
      'nats',
      'mongo',
      'registry',
      'change-ingest',
      'matcher',
      'dispatcher',
      'dispatcher-2',
      'incoming-hooks',
      'tunnel-gateway',
      'front-door',
    ]);
    expect([...before.values()].filter((row) => row.ready !== 'ready' || !(row.pid > 0))).toEqual([]);

    // Each service in turn: back and ready within seconds, every other program's process untouched.
    const backMs: Record<string, number> = {};
    let pids = new Map([...before].map(([name, row]) => [name, row.pid]));
    for (const [service, portEnv] of SERVICE_PORTS) {
      const victim = pids.get(service)!;
      process.kill(victim, 'SIGKILL');
      const killedAt = Date.now();
      await waitFor(() => Promise.resolve(!alive(victim)), 5_000, 10);
      await waitFor(
        async () => {
          const ready = await fetch(`http://127.0.0.1:${env[portEnv]}/health/ready`).catch(() => undefined);
          return ready?.status === 200;
        },
        30_000,
        100,
      );
      backMs[service] = Date.now() - killedAt;
      const now = status(env);
      expect(now.get(service)).toMatchObject({ restarts: 1, ready: 'ready' });
      expect(now.get(service)!.pid).not.toBe(pids.get(service));
      const others = (rows: Map<string, number>) => [...rows].filter(([name]) => name !== service);
      const nowPids = new Map([...now].map(([name, row]) => [name, row.pid]));
      expect(others(nowPids)).toEqual(others(pids));
      pids = nowPids;
    }
    const times = Object.entries(backMs).map(([s, ms]) => `${s} ${(ms / 1000).toFixed(1)} s`);
    process.stdout.write(`ready again after kill -9: ${times.join(', ')}\n`);
    // About 1 s to the new process and 3-6 s of start; up to 16 s when the two cores run ~30 processes.
    expect(Object.values(backMs).filter((ms) => ms > 25_000)).toEqual([]);

    const restarted = cli(env, 'restart', 'matcher');
    expect(restarted.status).toBe(0);
    const afterRestart = status(env);
    expect(afterRestart.get('matcher')).toMatchObject({ ready: 'ready', restarts: 2 });
    expect(afterRestart.get('matcher')!.pid).not.toBe(pids.get('matcher'));
    expect(afterRestart.get('registry')!.pid).toBe(pids.get('registry'));

    const logs = cli(env, 'logs', 'dispatcher');
    expect(logs.status).toBe(0);
    expect(logs.stdout).toContain(`dispatcher listening on http://0.0.0.0:${env.DISPATCHER_PORT}`);
    expect(logs.stdout).toContain(`dispatcher listening on http://0.0.0.0:${dispatcher2Port}`);

    const running = [...status(env).values()].map((row) => row.pid);
    child.kill('SIGINT');
    await new Promise((done) => child.once('exit', done));
    expect(output()).toContain('Stopped.');
    expect(running.filter(alive)).toEqual([]);
    expect(cli(env, 'status')).toMatchObject({ status: 2, stderr: expect.stringContaining('Hookline is not running') });
  }, 300_000);

  it('prints the admin key only when the stack accepts it, and a changed key replaces the old', async () => {
    const env = await newStack();
    const keyOf = (output: string) => /Admin API key: (hk_admin_\S+)/.exec(output)?.[1];
    const registry = `http://127.0.0.1:${env.REGISTRY_PORT}/api/v2/apikey`;
    const answer = async (key: string | undefined, method = 'GET', path = '') =>
      (await fetch(`${registry}${path}`, { method, headers: { authorization: `Bearer ${key}` } })).status;

    const first = cli(env, 'up', '--detach');
    // With its output, so a failure says which program did not come up.
    expect({ status: first.status, stderr: first.stderr }).toMatchObject({ status: 0 });
    const generated = keyOf(first.stdout);
    expect(generated).toMatch(/^hk_admin_/);
    expect(await answer(generated, 'DELETE', `/${BOOTSTRAP_KEY_ID}`)).toBe(204);
    expect(cli(env, 'down').status).toBe(0);

    const revoked = cli(env, 'up', '--detach');
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).not.toContain(generated);
    expect(revoked.stdout).toContain('Admin API key: the registry refuses the configured key');
    expect(cli(env, 'down').status).toBe(0);

    const rotated = cli({ ...env, HOOKLINE_ADMIN_KEY: 'hk_admin_rotated_for_the_test' }, 'up', '--detach');
    expect(keyOf(rotated.stdout)).toBe('hk_admin_rotated_for_the_test');
    expect([await answer('hk_admin_rotated_for_the_test'), await answer(generated)]).toEqual([200, 401]);
    expect(cli(env, 'down').status).toBe(0);
  }, 600_000);

  it('reports a service that cannot start as FATAL, and up fails and stops the rest', async () => {
    const env = await newStack({ WEBHOOK_REQUEST_TIMEOUT: 'soon' });
    const started = Date.now();
    const up = cli(env, 'up', '--detach');
    process.stdout.write(`up gave up after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(up.status).toBe(1);
    expect(up.stderr).toContain('dispatcher: FATAL');
    expect(up.stderr).toContain('WEBHOOK_REQUEST_TIMEOUT must be an integer number');
    expect(up.stderr).not.toContain('registry: ');
    expect(cli(env, 'down').stdout).toContain('Hookline is not running');
  }, 300_000);

  it('stops a program that crashes in a loop after startsecs, and status reports CRASH-LOOP', async () => {
    const env = await newStack({ HOOKLINE_CRASH_LOOP_EXITS: '3', HOOKLINE_CRASH_LOOP_WINDOW_S: '300' });
    const state = env.HOOKLINE_STATE_DIR!;
    const [flakyPort, steadyPort] = [Number(env.REGISTRY_PORT), Number(env.MATCHER_PORT)];
    // Up longer than supervisord's startsecs (10 s), so it never goes FATAL: restarted for ever before.
    const fake = (name: string, port: number, exitAfterMs?: number) => ({
      name,
      service: name,
      command: process.execPath,
      args: [
        '-e',
        `require('net').createServer().listen(${port}, '127.0.0.1');` +
          (exitAfterMs ? `setTimeout(() => process.exit(1), ${exitAfterMs});` : ''),
      ],
      env: {},
      ready: { kind: 'tcp' as const, port },
      url: `tcp://127.0.0.1:${port}`,
      priority: 100,
      stopWaitSecs: 5,
    });
    const settings = {
      root: resolve(__dirname, '../..'),
      state,
      env,
      adminKey: '-',
      encryptionKey: '-',
      instances: {},
    };
    await startSupervised(settings, [fake('flaky', flakyPort, 11_000), fake('steady', steadyPort)]);

    // Three exits 11 s apart, then stopped rather than kept running.
    await waitFor(() => Promise.resolve(status(env).get('flaky')?.state === 'CRASH-LOOP'), 90_000, 500);
    const looping = cli(env, 'status');
    expect(looping.status).toBe(3);
    expect(status(env).get('flaky')).toMatchObject({ pid: NaN, recentExits: 3 });
    expect(looping.stdout).toContain('exited 3 times within 300 s, so it was stopped');
    expect(status(env).get('steady')).toMatchObject({ state: 'RUNNING', restarts: 0, recentExits: 0, ready: 'ready' });
    const spawns = () =>
      (readFileSync(join(state, 'logs', 'supervisord.log'), 'utf8').match(/spawned: 'flaky'/g) ?? []).length;
    // supervisord starts it a fourth time at once on the third exit; the listener stops that one.
    expect(spawns()).toBe(4);
    await new Promise((done) => setTimeout(done, 12_000));
    expect(spawns()).toBe(4);

    // The operator starts it again, with a fresh count.
    expect(cli(env, 'restart', 'flaky').status).toBe(0);
    expect(status(env).get('flaky')).toMatchObject({ state: 'RUNNING', recentExits: 0, ready: 'ready' });
    await stopSupervised(state);
  }, 180_000);
});
