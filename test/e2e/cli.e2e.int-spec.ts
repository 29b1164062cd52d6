/* eslint-disable @typescript-eslint/no-explicit-any -- the CLI's --json output, checked field by field */
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userBody, waitFor } from '@hookline/testing';
import { E2eStack } from './e2e-stack';

const CLI = join(__dirname, '..', '..', 'packages', 'listener', 'dist', 'cli.js');
const PASSWORD = 'correct horse battery staple';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The `hookline` CLI as a user runs it: the built binary in its own process, signed in through the
 * front door, walking from a new webhook to a replayed failed delivery.
 */
describe('the hookline CLI on the whole stack', () => {
  let e2e: E2eStack;
  let env: Record<string, string>;
  let configFile: string;

  function hookline(args: string[], stdin = ''): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  /** A command that must succeed; its stdout. */
  async function ok(args: string[], stdin?: string): Promise<string> {
    const run = await hookline(args, stdin);
    if (run.code !== 0) throw new Error(`hookline ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  }

  /** Rows of a table on stdout, split into cells. */
  function rows(table: string): string[][] {
    return table
      .trim()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
  }

  beforeAll(async () => {
    e2e = await E2eStack.start();
    const user = await e2e.admin.request(
      'POST',
      '/api/v2/users',
      userBody({ Email: 'ada@example.com', Password: PASSWORD, SubscriptionID: 812 }),
    );
    expect(user.status).toBe(201);
    configFile = join(mkdtempSync(join(tmpdir(), 'hookline-cli-e2e-')), 'hookline', 'config.json');
    env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), HOOKLINE_CONFIG: configFile };
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('signs in, creates a webhook, sends a change, shows the attempt and replays a failed delivery', async () => {
    const login = await ok(
      ['login', '--url', e2e.stack.publicUrl, '--email', 'ada@example.com', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(login).toContain(`Signed in to ${e2e.stack.publicUrl} as ada@example.com`);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    // From here on the URL and token come from the config file alone.
    const created = JSON.parse(
      await ok([
        'webhooks',
        'create',
        '--name',
        'CLI walk-through',
        '--target',
        e2e.receiver.url('/cli'),
        '--object-type',
        'Defect',
        '--where',
        'Priority = High',
        '--json',
      ]),
    );
    expect(created).toMatchObject({ Name: 'CLI walk-through', SubscriptionID: 812, ObjectTypes: ['Defect'] });
    const id: string = created.ObjectUUID;
    await e2e.indexed(1);

    const listed = rows(await ok(['webhooks', 'list']));
    expect(listed[0]).toEqual(['ID', 'NAME', 'TARGET', 'ENABLED', 'FIRED', 'ERRORS', 'LAST STATUS']);
    expect(listed[1].slice(0, 4)).toEqual([id, 'CLI walk-through', e2e.receiver.url('/cli'), 'yes']);

    const sent = await ok([
      'changes',
      'send',
      '--action',
      'Created',
      '--object-type',
      'Defect',
      '--object-id',
      'd-1',
      '--after',
      '{"Name":"Login fails","Priority":"High"}',
    ]);
    expect(sent).toMatch(/^Accepted 1: \S+\n$/);
    await waitFor(() => e2e.receiver.at('/cli').length === 1, 20_000);

    const firstAttempts = await waitFor(async () => {
      const table = rows(await ok(['attempts', id]));
      return table.length === 2 && table;
    }, 15_000);
    expect(firstAttempts[0]).toEqual(['TIME', 'DELIVERY', 'ATTEMPT', 'OUTCOME', 'STATUS', 'LATENCY', 'ERROR']);
    expect(firstAttempts[1].slice(2, 5)).toEqual(['1', 'success', '200']);
    expect(firstAttempts[1][5]).toMatch(/^\d+ ms$/);

    // No retries, so the next failure is final at once; given with --file as a script would.
    const retryFile = join(mkdtempSync(join(tmpdir(), 'hookline-cli-e2e-')), 'retry.json');
    writeFileSync(retryFile, JSON.stringify({ RetryPolicy: { MaxRetries: 0 } }));
    expect(JSON.parse(await ok(['webhooks', 'update', id, '--file', retryFile, '--json'])).RetryPolicy).toMatchObject({
      MaxRetries: 0,
    });

    e2e.receiver.behave('/cli', 503);
    await ok([
      'changes',
      'send',
      '--action',
      'Created',
      '--object-type',
      'Defect',
      '--object-id',
      'd-2',
      '--after',
      '{"Priority":"High"}',
    ]);
    const failed = await waitFor(async () => {
      const list = JSON.parse(await ok(['webhooks', 'failed', id, '--json']));
      return list.length === 1 && list;
    }, 20_000);
    expect(failed[0]).toMatchObject({ LastStatus: 503, Attempts: 1 });
    const failedRows = rows(await ok(['attempts', id]));
    expect(failedRows[1].slice(2, 7)).toEqual([
      '1',
      'failed',
      '503',
      expect.stringMatching(/ ms$/),
      expect.stringMatching(/^HTTP 503/),
    ]);

    e2e.receiver.behave('/cli', undefined);
    const replayed = rows(await ok(['webhooks', 'replay', id, failed[0].DeliveryID]));
    expect(replayed[0]).toEqual(['FAILED DELIVERY', 'NEW DELIVERY']);
    expect(replayed[1][0]).toBe(failed[0].DeliveryID);
    await waitFor(() => e2e.receiver.at('/cli').length === 3, 20_000);
    expect(JSON.parse(e2e.receiver.at('/cli')[2].body)).toMatchObject({ message: { object_id: 'd-2' } });

    const attempts = await waitFor(async () => {
      const page = JSON.parse(await ok(['attempts', id, '--json']));
      return page.TotalResultCount === 3 && page;
    }, 15_000);
    expect(attempts.Results.map((a: any) => [a.DeliveryID, a.Outcome])).toEqual(
      expect.arrayContaining([[replayed[1][1], 'success']]),
    );
  });

  it("manages API keys and a pipeline's incoming hooks", async () => {
    const created = JSON.parse(
      await ok(['keys', 'create', '--name', 'ci', '--role', 'integration', '--shared-space', 'plant-3', '--json']),
    );
    expect(created).toMatchObject({
      Name: 'ci',
      Roles: ['integration'],
      SharedSpaces: ['plant-3'],
      SubscriptionID: 812,
    });
    expect(created.Key).toEqual(expect.any(String));
    const keys = rows(await ok(['keys', 'list']));
    expect(keys[0]).toEqual(['ID', 'NAME', 'HINT', 'ROLES', 'SHARED SPACES', 'CREATED', 'REVOKED']);
    expect(keys.find((k) => k[0] === created.KeyID)?.slice(1, 5)).toEqual([
      'ci',
      created.Hint,
      'integration',
      'plant-3',
    ]);
    expect(await ok(['keys', 'revoke', created.KeyID])).toBe(`Revoked key ${created.KeyID}.\n`);
    expect(JSON.parse(await ok(['keys', 'list', '--json'])).Results).toEqual(
      expect.arrayContaining([expect.objectContaining({ KeyID: created.KeyID, Revoked: true })]),
    );

    // Pipelines come from the API (the CLI manages their hooks); made in the user's tenant.
    const pipeline = await e2e
      .public(await e2e.admin.createKey(812))
      .request('POST', '/pipelines', { name: 'Deploy shop' });
    expect(pipeline.status).toBe(201);
    const hook = JSON.parse(
      await ok(['hooks', 'create', pipeline.body.id, '--name', 'github', '--action-type', 'deploy', '--json']),
    );
    expect(hook).toMatchObject({
      name: 'github',
      action_type: 'deploy',
      requires_secret: true,
      secret: expect.any(String),
    });
    expect(hook.url.startsWith(e2e.stack.publicUrl)).toBe(true);
    const hooks = rows(await ok(['hooks', 'list']));
    expect(hooks[0]).toEqual(['ID', 'PIPELINE', 'NAME', 'ACTION', 'SIGNED', 'ENABLED', 'URL']);
    expect(hooks.slice(1)).toEqual([[hook.id, pipeline.body.id, 'github', 'deploy', 'sha256', 'yes', hook.url]]);
    await ok(['hooks', 'delete', pipeline.body.id, hook.id]);
    expect(await ok(['hooks', 'list', pipeline.body.id])).toBe('No incoming hooks.\n');
  });

  it('shows the API error, a missing sign-in and an unreachable URL as the user should read them', async () => {
    // Still signed in from the walk-through above.
    const missing = await hookline(['webhooks', 'get', 'no-such-webhook']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hookline: NOT_FOUND: .* \(404\)\n/);

    const invalid = await hookline(['webhooks', 'create', '--name', 'bad', '--target', 'not a url']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('VALIDATION_FAILED');
    expect(invalid.stderr).toMatch(/\n {2}TargetUrl: .+/);

    // A user's first command while the stack is down.
    const closed = await hookline(
      ['login', '--url', `http://127.0.0.1:${await closedPort()}`, '--email', 'ada@example.com', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(closed.code).toBe(69);
    expect(closed.stderr).toContain('./hookline up');

    await ok(['logout']);
    const after = await hookline(['webhooks', 'list', '--json']);
    expect(after.code).toBe(77);
    expect(after.stderr).toContain('hookline login');
    expect(after.stdout).toBe('');
  });
});
