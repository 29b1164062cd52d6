import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Receiver, RunningApp } from '@hookline/testing';
import { answerWith, RECEIVER_PATH, startLocalReceiver, TunnelHarness, waitFor } from './tunnel-harness';

/**
 * The `hookline` CLI as a user installs it: the tarball from `pnpm --filter @hookline/listener
 * pack-cli`, installed with `npm i -g` into a fresh prefix with an empty npm cache and --offline,
 * so any dependency left outside the bundle fails the install.
 */

const ROOT = join(__dirname, '..', '..', '..');
const PACK_SCRIPT = join(ROOT, 'packages', 'listener', 'scripts', 'pack-cli.mjs');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`);
  }
  return result.stdout;
}

describe('the hookline CLI installed from its tarball', () => {
  let work: string;
  let tarball: string;
  let hookline: string;
  let home: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'hookline-cli-install-'));
    tarball = run(process.execPath, [PACK_SCRIPT, work]).trim();
    const prefix = join(work, 'prefix');
    run('npm', ['i', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      ...process.env,
      npm_config_cache: join(work, 'npm-cache'),
    });
    hookline = join(prefix, 'bin', 'hookline');
    home = join(work, 'home');
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The installed command, with a home of its own so no real config file is read. */
  function installed(args: string[], env: Record<string, string> = {}) {
    return spawnSync(hookline, args, {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, HOME: home, ...env },
    });
  }

  it('is named hookline-cli-<version>.tgz and needs no other package', () => {
    expect(tarball).toMatch(/hookline-cli-\d+\.\d+\.\d+\.tgz$/);
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'])) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'hookline-cli', bin: { hookline: 'hookline.js' } });
    expect(manifest.dependencies).toBeUndefined();
  });

  it('answers --help with every command', () => {
    const result = installed(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['login', 'webhooks', 'attempts', 'changes', 'keys', 'hooks', 'listen']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(installed(['webhooks', 'create', '--help']).stdout).toContain('Usage: hookline webhooks create');
  });

  it('says how to sign in when it has no credentials', () => {
    const result = installed(['webhooks', 'list']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('not signed in to http://127.0.0.1:8080: run `hookline login`');
  });

  describe('listen, against a real tunnel gateway', () => {
    let h: TunnelHarness;
    let gateway: RunningApp;
    let receiver: Receiver;

    beforeAll(async () => {
      h = await TunnelHarness.start();
      gateway = await h.startGateway();
      receiver = await startLocalReceiver();
    });

    afterAll(async () => {
      await receiver?.stop();
      await h?.stop();
    });

    it('forwards a delivery to the local receiver', async () => {
      const key = await h.createKey(['integration'], ['octane-2002']);
      const cli = spawn(
        hookline,
        ['listen', '--space', 'octane-2002', '--forward', receiver.url(RECEIVER_PATH), '--url', gateway.baseUrl],
        { env: { PATH: process.env.PATH, HOME: home, HOOKLINE_API_KEY: key } },
      );
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
      try {
        await waitFor(() => stderr.includes('listening'));
        answerWith(receiver, 202);
        const reply = await h.deliver('octane-2002', { id: 'd-installed', webhookId: 'wh-installed' });
        expect(reply).toMatchObject({ id: 'd-installed', status: 202 });
        await waitFor(() => stdout.includes('delivery d-installed  202'));
      } finally {
        cli.kill('SIGINT');
      }
      await expect(exited).resolves.toBe(0);
    });
  });
});
