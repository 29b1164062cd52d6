import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeConfig } from './config';
import { buildProgram } from './program';
import { runCli } from './run';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A stand-in API on 127.0.0.1: answers by "METHOD /path" and records what the CLI sent. */
class StubApi {
  private constructor(
    private readonly server: Server,
    readonly seen: Seen[],
  ) {}

  static async start(answers: Record<string, { status: number; body?: unknown }>): Promise<StubApi> {
    const seen: Seen[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const path = req.url ?? '/';
        seen.push({
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        });
        const answer = answers[`${req.method} ${path.split('?')[0]}`] ?? {
          status: 404,
          body: { error: 'NOT_FOUND', message: 'no stub', details: [] },
        };
        res.statusCode = answer.status;
        if (answer.body !== undefined) res.setHeader('content-type', 'application/json');
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new StubApi(server, seen);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function hookline(
  argv: string[],
  env: Record<string, string>,
  stdin = '',
  askSecret?: (question: string) => Promise<string>,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli({
    argv,
    env,
    out: (t) => (out += t),
    err: (t) => (err += t),
    interrupted: new Promise(() => undefined),
    readStdin: () => Promise.resolve(stdin),
    ...(askSecret !== undefined && { askSecret }),
  });
  return { code, out, err };
}

const WEBHOOK = {
  ObjectUUID: 'w-1',
  Name: 'On high',
  TargetUrl: 'https://r.example/hook',
  Disabled: false,
  FireCount: 3,
  ErrorCount: 1,
  LastStatus: 503,
};

describe('hookline against an API', () => {
  let api: StubApi;
  let env: Record<string, string>;
  let configFile: string;

  beforeEach(async () => {
    api = await StubApi.start({
      'POST /users/login': { status: 200, body: { access_token: 'hlu_tok', token_type: 'Bearer', expires_in: 3600 } },
      'POST /users/logout': { status: 204 },
      'GET /api/v2/webhook': {
        status: 200,
        body: { Results: [WEBHOOK], TotalResultCount: 1, PageSize: 20, StartIndex: 1 },
      },
      'POST /api/v2/webhook': {
        status: 400,
        body: {
          error: 'VALIDATION_FAILED',
          message: 'The request is invalid',
          details: [{ field: 'TargetUrl', reason: 'TargetUrl must be an absolute http or https URL' }],
        },
      },
      'GET /api/v2/webhook/w-1/failed': {
        status: 200,
        body: {
          Results: [{ DeliveryID: 'd-1' }, { DeliveryID: 'd-2' }],
          TotalResultCount: 2,
          PageSize: 200,
          StartIndex: 1,
        },
      },
      'POST /api/v2/webhook/w-1/failed/d-1/replay': { status: 202, body: { DeliveryID: 'r-1' } },
      'POST /api/v2/webhook/w-1/failed/d-2/replay': { status: 202, body: { DeliveryID: 'r-2' } },
      'GET /api/v2/apikey': {
        status: 401,
        body: { error: 'UNAUTHENTICATED', message: 'The token has expired', details: [] },
      },
    });
    configFile = join(mkdtempSync(join(tmpdir(), 'hookline-cli-')), 'config.json');
    env = { HOOKLINE_CONFIG: configFile, HOOKLINE_URL: api.url };
  });

  afterEach(async () => {
    await api.stop();
  });

  it('signs in, keeps the token in a 0600 file, and sends it with the next commands', async () => {
    const login = await hookline(['login', '--email', 'ada@example.com', '--password-stdin'], env, 'pw-123456789012\n');
    expect(login).toMatchObject({ code: 0, err: '' });
    expect(login.out).toContain(`Signed in to ${api.url} as ada@example.com`);
    expect(api.seen[0]).toMatchObject({
      path: '/users/login',
      body: { email: 'ada@example.com', password: 'pw-123456789012' },
    });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toMatchObject({
      url: api.url,
      token: 'hlu_tok',
      tokenKind: 'session',
    });

    const list = await hookline(['webhooks', 'list'], { HOOKLINE_CONFIG: configFile });
    expect(list.code).toBe(0);
    expect(api.seen[1].headers.authorization).toBe('Bearer hlu_tok');
    expect(list.out.split('\n')[0].split(/\s{2,}/)).toEqual([
      'ID',
      'NAME',
      'TARGET',
      'ENABLED',
      'FIRED',
      'ERRORS',
      'LAST STATUS',
    ]);
    expect(list.out.split('\n')[1].split(/\s{2,}/)).toEqual([
      'w-1',
      'On high',
      'https://r.example/hook',
      'yes',
      '3',
      '1',
      '503',
    ]);

    const logout = await hookline(['logout'], { HOOKLINE_CONFIG: configFile });
    expect(logout.code).toBe(0);
    expect(api.seen[2]).toMatchObject({
      method: 'POST',
      path: '/users/logout',
      headers: { authorization: 'Bearer hlu_tok' },
    });
    expect(existsSync(configFile)).toBe(false);
  });

  it('keeps an API key given to login once the API accepts it', async () => {
    const login = await hookline(['login', '--api-key', 'hk_machine'], env);
    expect(login).toMatchObject({ code: 0, out: `Using the API key for ${api.url} (saved in ${configFile}).\n` });
    expect(api.seen[0]).toMatchObject({
      path: '/api/v2/webhook?pagesize=1',
      headers: { authorization: 'Bearer hk_machine' },
    });
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({
      url: api.url,
      token: 'hk_machine',
      tokenKind: 'api-key',
    });
  });

  it('asks for the password on a terminal when none is given', async () => {
    const asked: string[] = [];
    const login = await hookline(['login', '--email', 'ada@example.com'], env, '', (question) => {
      asked.push(question);
      return Promise.resolve('typed-password');
    });
    expect(login.code).toBe(0);
    expect(asked).toEqual(['Password: ']);
    expect(api.seen[0].body).toEqual({ email: 'ada@example.com', password: 'typed-password' });

    const noTerminal = await hookline(['login', '--email', 'ada@example.com'], env);
    expect(noTerminal).toMatchObject({ code: 64, err: expect.stringContaining('--password-stdin') });
  });

  it('passes the list filters as the API query', async () => {
    const list = await hookline(
      ['webhooks', 'list', '--disabled', '--object-type', 'Defect', '--event', 'Created,Deleted', '--pagesize', '5'],
      { ...env, HOOKLINE_TOKEN: 'hk_1' },
    );
    expect(list.code).toBe(0);
    const query = new URL(api.seen[0].path, api.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      isEnabled: 'false',
      objectType: 'Defect',
      event: 'Created,Deleted',
      pagesize: '5',
    });
    const bad = await hookline(['webhooks', 'list', '--pagesize', 'many'], { ...env, HOOKLINE_TOKEN: 'hk_1' });
    expect(bad).toMatchObject({ code: 64, err: 'hookline: --pagesize takes a positive whole number, not "many"\n' });
  });

  it('prints the raw answer with --json', async () => {
    const list = await hookline(['webhooks', 'list', '--json'], { ...env, HOOKLINE_TOKEN: 'hk_1' });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual({ Results: [WEBHOOK], TotalResultCount: 1, PageSize: 20, StartIndex: 1 });
  });

  it('shows the API error with each field and reason, and exits 1', async () => {
    const create = await hookline(['webhooks', 'create', '--name', 'x', '--target', 'nope'], {
      ...env,
      HOOKLINE_TOKEN: 'hk_1',
    });
    expect(create).toEqual({
      code: 1,
      out: '',
      err: 'hookline: VALIDATION_FAILED: The request is invalid (400)\n  TargetUrl: TargetUrl must be an absolute http or https URL\n',
    });
    expect(api.seen[0].body).toMatchObject({ Name: 'x', TargetUrl: 'nope' });
  });

  it('sends a 401 to hookline login, and says so before calling when nobody signed in', async () => {
    const expired = await hookline(['keys', 'list'], { ...env, HOOKLINE_TOKEN: 'hlu_old' });
    expect(expired.code).toBe(77);
    expect(expired.err).toContain('UNAUTHENTICATED: The token has expired (401)');
    expect(expired.err).toContain('hookline login');

    const nobody = await hookline(['keys', 'list'], env);
    expect(nobody).toMatchObject({
      code: 77,
      err: `hookline: not signed in to ${api.url}: run \`hookline login\` (or set HOOKLINE_TOKEN to an API key)\n`,
    });
  });

  it('says an ended session has ended, without calling the API', async () => {
    writeConfig(configFile, {
      url: api.url,
      token: 'hlu_old',
      tokenKind: 'session',
      email: 'ada@example.com',
      expiresAt: '2020-01-01T00:00:00.000Z',
    });
    const list = await hookline(['webhooks', 'list'], env);
    expect(list).toMatchObject({
      code: 77,
      err: `hookline: the session of ada@example.com at ${api.url} ended at 2020-01-01T00:00:00.000Z: run \`hookline login\`\n`,
    });
    expect(api.seen).toEqual([]);
  });

  it('says to run ./hookline up when nothing answers', async () => {
    const gone = await StubApi.start({});
    const url = gone.url;
    await gone.stop();
    const refused = await hookline(['webhooks', 'list'], { ...env, HOOKLINE_URL: url, HOOKLINE_TOKEN: 'hk_1' });
    expect(refused.code).toBe(69);
    expect(refused.err).toContain(`cannot reach ${url}: ECONNREFUSED`);
    expect(refused.err).toContain('./hookline up');
  });

  it('replays every failed delivery of a webhook with --all', async () => {
    const replay = await hookline(['webhooks', 'replay', 'w-1', '--all', '--json'], { ...env, HOOKLINE_TOKEN: 'hk_1' });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toEqual([
      { FailedDeliveryID: 'd-1', DeliveryID: 'r-1' },
      { FailedDeliveryID: 'd-2', DeliveryID: 'r-2' },
    ]);
  });

  it('refuses a usage mistake with exit 64 before calling the API', async () => {
    const both = await hookline(['webhooks', 'replay', 'w-1'], { ...env, HOOKLINE_TOKEN: 'hk_1' });
    expect(both).toMatchObject({ code: 64, err: 'hookline: replay takes a delivery id or --all (one of them)\n' });
    const unknown = await hookline(['webhooks', 'frobnicate'], env);
    expect(unknown.code).toBe(64);
    expect(api.seen).toEqual([]);
  });
});

describe('--help', () => {
  function leaves(command: Command, path: string[] = []): string[][] {
    const here = [...path, command.name()].slice(1);
    return command.commands.length === 0
      ? [here]
      : [here, ...command.commands.flatMap((c) => leaves(c, [...path, command.name()]))];
  }

  it('is on every command, and every API command takes --json and --url', async () => {
    const program = buildProgram(
      { env: {}, out: () => undefined, err: () => undefined, readStdin: async () => '' },
      async () => 0,
      () => undefined,
    );
    const paths = leaves(program).filter((p) => p[0] !== 'help');
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'webhooks replay',
        'changes send',
        'attempts',
        'keys revoke',
        'hooks create',
        'login',
        'listen',
      ]),
    );
    for (const path of paths) {
      const help = await hookline([...path, '--help'], {});
      expect({ path, code: help.code }).toEqual({ path, code: 0 });
      if (path[0] === 'listen') expect(help.out).toContain('Usage: hookline listen --space');
      else expect(help.out).toContain(`Usage: hookline ${path.join(' ')}`.trimEnd());
      const isApi = path.length > 0 && !['webhooks', 'changes', 'keys', 'hooks', 'listen'].includes(path.join(' '));
      if (isApi)
        expect({ path, json: help.out.includes('--json'), url: help.out.includes('--url') }).toEqual({
          path,
          json: true,
          url: true,
        });
    }
  });
});
