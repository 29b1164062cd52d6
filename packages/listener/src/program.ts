import { Command, CommanderError, Option } from 'commander';
import type { HooklineClient, Schema } from '@hookline/client';
import { ApiError, call, clientFor, NotSignedInError } from './api';
import { configPath, readConfig, removeConfig, resolveConnection, writeConfig, type Connection } from './config';
import { describeError, EXIT, fields, table } from './format';
import { changeBody, createWebhookBody, InputError, readJsonFile, webhookFields, type WebhookFlags } from './input';

/** What the commands touch outside themselves, passed in so tests drive exactly what `hookline` runs. */
export interface ProgramIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Reads all of stdin (`--password-stdin`). */
  readStdin: () => Promise<string>;
  /** Asks on the terminal without echoing; absent when stdin is not a terminal. */
  askSecret?: (question: string) => Promise<string>;
  fetch?: typeof fetch;
}

interface CommonFlags {
  url?: string;
  json?: boolean;
}

interface Context {
  io: ProgramIo;
  flags: CommonFlags;
  connection: Connection;
  client: HooklineClient;
  /** Runs one generated-client call, turning failures into errors the user can act on. */
  call: <T>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>) => Promise<T>;
  /** `--json`: the answer as is; otherwise the human rendering. */
  show: (data: unknown, human: () => string) => void;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Builds the whole `hookline` command tree; `listen` is handed to `runListen` with its own arguments. */
export function buildProgram(
  io: ProgramIo,
  runListen: (argv: string[]) => Promise<number>,
  setExit: (code: number) => void,
): Command {
  const program = new Command('hookline')
    .description(
      'Hookline from the command line: sign in, manage webhooks, keys and incoming hooks, send changes, see attempts, and listen through the tunnel.',
    )
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  /** A command that talks to the API: --url and --json, and errors shown as the user should read them. */
  const apiCommand = (parent: Command, name: string, description: string): Command =>
    parent
      .command(name)
      .description(description)
      .option('--url <url>', 'the Hookline URL (default: HOOKLINE_URL, the signed-in URL, or http://127.0.0.1:8080)')
      .option('--json', 'print the raw JSON answer, for scripts');

  const act =
    <A extends unknown[]>(handler: (ctx: Context, ...args: A) => Promise<void>, needsToken = true) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const flags = command.opts<CommonFlags>();
      try {
        const stored = readConfig(configPath(io.env));
        const connection = resolveConnection(flags, io.env, stored);
        if (needsToken && connection.token === undefined) {
          throw new NotSignedInError(
            `not signed in to ${connection.url}: run \`hookline login\` (or set HOOKLINE_TOKEN to an API key)`,
          );
        }
        // Said before calling, so an ended session reads as such rather than as a bare 401.
        const ended = stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= Date.now();
        if (needsToken && ended && connection.token === stored.token) {
          throw new NotSignedInError(
            `the session of ${stored.email ?? 'your user'} at ${connection.url} ended at ${stored.expiresAt}: run \`hookline login\``,
          );
        }
        const ctx: Context = {
          io,
          flags,
          connection,
          client: clientFor(connection, io.fetch),
          call: (request) => call(connection.url, request),
          show: (data, human) => io.out(flags.json ? `${JSON.stringify(data, null, 2)}\n` : human()),
        };
        await handler(ctx, ...(args.slice(0, -1) as A));
      } catch (err) {
        if (err instanceof InputError) {
          io.err(`hookline: ${err.message}\n`);
          return setExit(EXIT.usage);
        }
        const { text, code } = describeError(err);
        io.err(`hookline: ${text}\n`);
        setExit(code);
      }
    };

  addLogin(program, apiCommand, act);
  addWebhooks(program, apiCommand, act);
  addChanges(program, apiCommand, act);
  addKeys(program, apiCommand, act);
  addHooks(program, apiCommand, act);

  program
    .command('listen')
    .description('open the WebSocket tunnel and forward deliveries to a receiver here (hookline listen --help)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]')
    .action(async (options: string[]) => setExit(await runListen(['listen', ...options])));

  return program;
}

type ApiCommand = (parent: Command, name: string, description: string) => Command;
type Act = <A extends unknown[]>(
  handler: (ctx: Context, ...args: A) => Promise<void>,
  needsToken?: boolean,
) => (...args: unknown[]) => Promise<void>;

function addLogin(program: Command, apiCommand: ApiCommand, act: Act): void {
  apiCommand(program, 'login', 'sign in with email and password (or keep an API key) for the next commands')
    .option('--email <email>', 'your email (or HOOKLINE_EMAIL)')
    .option('--password-stdin', 'read the password from stdin (else HOOKLINE_PASSWORD, else asked on a terminal)')
    .option('--api-key <key>', 'use this API key instead of signing in')
    .action(
      act(async (ctx) => {
        const opts = ctx.flags as CommonFlags & { email?: string; passwordStdin?: boolean; apiKey?: string };
        const file = configPath(ctx.io.env);
        const unsigned = { ...ctx.connection, token: undefined };
        if (opts.apiKey !== undefined) {
          const client = clientFor({ ...unsigned, token: opts.apiKey }, ctx.io.fetch);
          // A key with no read role still proves itself: only 401 means it is wrong.
          await ctx
            .call(() => client.GET('/api/v2/webhook', { params: { query: { pagesize: 1 } } }))
            .catch((err) => {
              if (!(err instanceof ApiError && err.status === 403)) throw err;
            });
          writeConfig(file, { url: ctx.connection.url, token: opts.apiKey, tokenKind: 'api-key' });
          return ctx.show(
            { url: ctx.connection.url, tokenKind: 'api-key' },
            () => `Using the API key for ${ctx.connection.url} (saved in ${file}).\n`,
          );
        }
        const email = opts.email ?? ctx.io.env.HOOKLINE_EMAIL;
        if (email === undefined) throw new InputError('login needs --email (or HOOKLINE_EMAIL), or --api-key');
        const password = opts.passwordStdin
          ? (await ctx.io.readStdin()).replace(/\r?\n$/, '')
          : (ctx.io.env.HOOKLINE_PASSWORD ?? (await ctx.io.askSecret?.('Password: ')));
        if (!password)
          throw new InputError('give the password on stdin with --password-stdin, or in HOOKLINE_PASSWORD');
        const client = clientFor(unsigned, ctx.io.fetch);
        const token = await ctx.call(() => client.POST('/users/login', { body: { email, password } }));
        const expiresAt = new Date(Date.now() + token.expires_in * 1000).toISOString();
        writeConfig(file, {
          url: ctx.connection.url,
          token: token.access_token,
          tokenKind: 'session',
          email,
          expiresAt,
        });
        ctx.show(
          { url: ctx.connection.url, email, expiresAt },
          () => `Signed in to ${ctx.connection.url} as ${email} until ${expiresAt}.\n`,
        );
      }, false),
    );

  apiCommand(program, 'logout', 'end the session (revoking its token) and forget the credentials').action(
    act(async (ctx) => {
      const file = configPath(ctx.io.env);
      const stored = readConfig(file);
      if (stored.tokenKind === 'session' && stored.token !== undefined && ctx.connection.token === stored.token) {
        // An already expired or revoked token has nothing left to end.
        await ctx
          .call(() => ctx.client.POST('/users/logout'))
          .catch((err) => {
            if (!(err instanceof ApiError && err.status === 401)) throw err;
          });
      }
      removeConfig(file);
      ctx.show({ loggedOut: true }, () => `Signed out; removed ${file}.\n`);
    }, false),
  );
}

type Webhook = Schema<'WebhookResponseDto'>;

function webhookOptions(command: Command): Command {
  return command
    .option('-f, --file <webhook.json>', 'the webhook as JSON (the API fields); flags override its fields')
    .option('--name <name>', 'Name')
    .option('--target <url>', 'TargetUrl: where deliveries go')
    .option('--object-type <type>', 'ObjectTypes: fire on this type (repeatable)', collect)
    .option('--event <event>', 'Events: Created, Updated or Deleted (repeatable)', collect)
    .option(
      '--where <expression>',
      'Expressions: "<attribute> <operator> [value]", e.g. "Priority = High" (repeatable, all must hold)',
      collect,
    )
    .option('--condition <condition>', 'Condition in the BMC condition language')
    .option('--dialect <dialect>', 'rally, octane, bmc or changegear')
    .option('--field <name>', 'Fields: an attribute to include (repeatable)', collect)
    .option('--header <header>', 'Headers: "Name: value" sent with each delivery (repeatable)', collect)
    .option('--shared-space <space>', 'deliver through the listeners of this shared space (websocket)')
    .option('--app-name <name>', 'AppName')
    .option('--app-url <url>', 'AppUrl');
}

const WEBHOOK_COLUMNS = [
  { header: 'ID', value: (w: Webhook) => w.ObjectUUID },
  { header: 'NAME', value: (w: Webhook) => w.Name },
  { header: 'TARGET', value: (w: Webhook) => w.TargetUrl },
  { header: 'ENABLED', value: (w: Webhook) => (w.Disabled ? 'no' : 'yes') },
  { header: 'FIRED', value: (w: Webhook) => w.FireCount },
  { header: 'ERRORS', value: (w: Webhook) => w.ErrorCount },
  { header: 'LAST STATUS', value: (w: Webhook) => w.LastStatus },
];

function showWebhook(ctx: Context, webhook: Webhook): void {
  ctx.show(webhook, () => fields(webhook as unknown as Record<string, unknown>));
}

function addWebhooks(program: Command, apiCommand: ApiCommand, act: Act): void {
  const webhooks = program
    .command('webhooks')
    .description('list, show, create, change, delete, test and replay webhooks');

  apiCommand(webhooks, 'list', 'list webhooks (a page of them)')
    .option('--name <names>', 'only webhooks with these names (comma-separated)')
    .option('--object-type <type>', 'only webhooks listing this object type')
    .option('--event <events>', 'only webhooks firing on any of these events (comma-separated)')
    .addOption(new Option('--enabled', 'enabled webhooks only').conflicts('disabled'))
    .option('--disabled', 'disabled webhooks only')
    .option('--pagesize <n>', 'how many (default 20, at most 200)')
    .option('--start <n>', '1-based index of the first')
    .option('--order <order>', 'e.g. "Name desc"')
    .action(
      act(async (ctx) => {
        const o = ctx.flags as CommonFlags & {
          name?: string;
          objectType?: string;
          event?: string;
          enabled?: boolean;
          disabled?: boolean;
          pagesize?: string;
          start?: string;
          order?: string;
        };
        const isEnabled = o.enabled ? ('true' as const) : o.disabled ? ('false' as const) : undefined;
        const query = {
          ...(o.name !== undefined && { name: o.name }),
          ...(o.objectType !== undefined && { objectType: o.objectType }),
          ...(o.event !== undefined && { event: o.event }),
          ...(isEnabled !== undefined && { isEnabled }),
          ...(o.pagesize !== undefined && { pagesize: positive('--pagesize', o.pagesize) }),
          ...(o.start !== undefined && { start: positive('--start', o.start) }),
          ...(o.order !== undefined && { order: o.order }),
        };
        const page = await ctx.call(() => ctx.client.GET('/api/v2/webhook', { params: { query } }));
        ctx.show(page, () => {
          const shown = table(page.Results, WEBHOOK_COLUMNS, 'No webhooks.');
          const more = page.TotalResultCount > page.StartIndex - 1 + page.Results.length;
          return more
            ? `${shown}(${page.Results.length} of ${page.TotalResultCount}; --start and --pagesize show more)\n`
            : shown;
        });
      }),
    );

  apiCommand(webhooks, 'get', 'show one webhook')
    .argument('<webhook>', 'the webhook id (ObjectUUID)')
    .action(
      act(async (ctx, id: string) => {
        showWebhook(ctx, await ctx.call(() => ctx.client.GET('/api/v2/webhook/{id}', { params: { path: { id } } })));
      }),
    );

  webhookOptions(apiCommand(webhooks, 'create', 'create a webhook from flags and/or --file'))
    .option('--disabled', 'create it disabled')
    .action(
      act(async (ctx) => {
        const o = ctx.flags as CommonFlags & WebhookFlags & { disabled?: boolean };
        const body = createWebhookBody({ ...o, ...(o.disabled && { enabled: false }) });
        const created = await ctx.call(() => ctx.client.POST('/api/v2/webhook', { body }));
        showWebhook(ctx, created);
      }),
    );

  webhookOptions(apiCommand(webhooks, 'update', 'change a webhook: only the fields given (flags and/or --file)'))
    .argument('<webhook>', 'the webhook id')
    .addOption(new Option('--enable', 'enable it').conflicts('disable'))
    .option('--disable', 'disable it')
    .action(
      act(async (ctx, id: string) => {
        const o = ctx.flags as CommonFlags & WebhookFlags & { enable?: boolean; disable?: boolean };
        const enabled = o.enable ? true : o.disable ? false : undefined;
        const body = webhookFields({ ...o, ...(enabled !== undefined && { enabled }) });
        if (Object.keys(body).length === 0) throw new InputError('nothing to change: give a flag or --file');
        showWebhook(
          ctx,
          await ctx.call(() => ctx.client.PATCH('/api/v2/webhook/{id}', { params: { path: { id } }, body })),
        );
      }),
    );

  apiCommand(webhooks, 'delete', 'delete a webhook')
    .argument('<webhook>', 'the webhook id')
    .action(
      act(async (ctx, id: string) => {
        await ctx.call(() => ctx.client.DELETE('/api/v2/webhook/{id}', { params: { path: { id } } }));
        ctx.show({ deleted: id }, () => `Deleted webhook ${id}.\n`);
      }),
    );

  apiCommand(webhooks, 'test', 'send the webhook a sample change now and show what its receiver answered')
    .argument('<webhook>', 'the webhook id')
    .action(
      act(async (ctx, id: string) => {
        const result = await ctx.call(() => ctx.client.POST('/api/v2/webhook/{id}/test', { params: { path: { id } } }));
        ctx.show(result, () => fields(result));
      }),
    );

  apiCommand(webhooks, 'failed', 'list the deliveries that failed after their retries (the ones replay sends again)')
    .argument('<webhook>', 'the webhook id')
    .action(
      act(async (ctx, id: string) => {
        const failed = await allFailed(ctx, id);
        ctx.show(failed, () =>
          table(
            failed,
            [
              { header: 'DELIVERY', value: (f) => f.DeliveryID },
              { header: 'FAILED AT', value: (f) => f.FailedAt },
              { header: 'ATTEMPTS', value: (f) => f.Attempts },
              { header: 'LAST STATUS', value: (f) => f.LastStatus },
              { header: 'ERROR', value: (f) => f.Error },
              { header: 'REPLAYS', value: (f) => f.ReplayCount },
            ],
            'No failed deliveries.',
          ),
        );
      }),
    );

  apiCommand(webhooks, 'replay', 'send a failed delivery again, or with --all every failed delivery of the webhook')
    .argument('<webhook>', 'the webhook id')
    .argument('[delivery]', 'the failed delivery id (see `hookline webhooks failed`)')
    .option('--all', 'replay every failed delivery of the webhook')
    .action(
      act(async (ctx, id: string, delivery: string | undefined) => {
        const all = (ctx.flags as { all?: boolean }).all === true;
        if ((delivery === undefined) === !all)
          throw new InputError('replay takes a delivery id or --all (one of them)');
        const ids = all ? (await allFailed(ctx, id)).map((f) => f.DeliveryID) : [delivery as string];
        const replayed: { FailedDeliveryID: string; DeliveryID: string }[] = [];
        for (const deliveryId of ids) {
          const answer = await ctx.call(() =>
            ctx.client.POST('/api/v2/webhook/{id}/failed/{deliveryId}/replay', {
              params: { path: { id, deliveryId } },
            }),
          );
          replayed.push({ FailedDeliveryID: deliveryId, DeliveryID: answer.DeliveryID });
        }
        ctx.show(replayed, () =>
          table(
            replayed,
            [
              { header: 'FAILED DELIVERY', value: (r) => r.FailedDeliveryID },
              { header: 'NEW DELIVERY', value: (r) => r.DeliveryID },
            ],
            'No failed deliveries to replay.',
          ),
        );
      }),
    );

  apiCommand(
    program,
    'attempts',
    "a webhook's delivery attempts, newest first: time, attempt, outcome, status, latency, error",
  )
    .argument('<webhook>', 'the webhook id')
    .option('--pagesize <n>', 'how many (default 20)')
    .option('--start <n>', '1-based index of the first')
    .action(
      act(async (ctx, id: string) => {
        const o = ctx.flags as { pagesize?: string; start?: string };
        const query = {
          ...(o.pagesize !== undefined && { pagesize: positive('--pagesize', o.pagesize) }),
          ...(o.start !== undefined && { start: positive('--start', o.start) }),
        };
        const page = await ctx.call(() =>
          ctx.client.GET('/api/v2/webhook/{id}/attempts', { params: { path: { id }, query } }),
        );
        ctx.show(page, () => attemptsTable(page.Results));
      }),
    );
}

export function attemptsTable(attempts: readonly Schema<'AttemptResponseDto'>[]): string {
  return table(
    attempts,
    [
      { header: 'TIME', value: (a) => a.Time },
      { header: 'DELIVERY', value: (a) => a.DeliveryID },
      { header: 'ATTEMPT', value: (a) => a.Attempt },
      { header: 'OUTCOME', value: (a) => a.Outcome },
      { header: 'STATUS', value: (a) => a.Status },
      { header: 'LATENCY', value: (a) => `${a.LatencyMs} ms` },
      { header: 'ERROR', value: (a) => a.Error },
    ],
    'No attempts yet.',
  );
}

async function allFailed(ctx: Context, id: string): Promise<Schema<'FailedDeliveryResponseDto'>[]> {
  const failed: Schema<'FailedDeliveryResponseDto'>[] = [];
  // Pages until the total is reached; a short page ends it too, should deliveries vanish meanwhile.
  for (let start = 1; ;) {
    const page = await ctx.call(() =>
      ctx.client.GET('/api/v2/webhook/{id}/failed', { params: { path: { id }, query: { start, pagesize: 200 } } }),
    );
    failed.push(...page.Results);
    start += page.Results.length;
    if (page.Results.length === 0 || failed.length >= page.TotalResultCount) return failed;
  }
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${flag} takes a positive whole number, not "${value}"`);
  return n;
}

function addChanges(program: Command, apiCommand: ApiCommand, act: Act): void {
  const changes = program.command('changes').description('send changes to Hookline');
  apiCommand(changes, 'send', 'send one change (flags) or a change or array of them (--file) to POST /api/v2/changes')
    .option('-f, --file <change.json>', 'a Rally change message or snapshot change, or an array of up to 1000')
    .addOption(new Option('--action <action>', 'what happened').choices(['Created', 'Updated', 'Deleted', 'Recycled']))
    .option('--object-type <type>', 'e.g. Defect')
    .option('--object-id <id>', "the record's id")
    .option('--before <json>', 'the record before, a JSON object (updates and deletes)')
    .option('--after <json>', 'the record after, a JSON object, e.g. \'{"Priority":"High"}\'')
    .option('--message-id <id>', 'your id for the change: sent again within two minutes it is published once')
    .action(
      act(async (ctx) => {
        const body = changeBody(ctx.flags as Parameters<typeof changeBody>[0]);
        const result = await ctx.call(() =>
          ctx.client.POST('/api/v2/changes', { body: body as Schema<'SnapshotChangeInputDto'> }),
        );
        ctx.show(result, () => {
          const dupes = result.duplicates.length > 0 ? `; already seen: ${result.duplicates.join(', ')}` : '';
          return `Accepted ${result.accepted}: ${result.message_ids.join(', ')}${dupes}\n`;
        });
      }),
    );
}

function addKeys(program: Command, apiCommand: ApiCommand, act: Act): void {
  const keys = program.command('keys').description('list, create and revoke API keys (admin)');
  apiCommand(keys, 'list', "list the subscription's API keys").action(
    act(async (ctx) => {
      const list = await ctx.call(() => ctx.client.GET('/api/v2/apikey'));
      ctx.show(list, () =>
        table(
          list.Results,
          [
            { header: 'ID', value: (k) => k.KeyID },
            { header: 'NAME', value: (k) => k.Name },
            { header: 'HINT', value: (k) => k.Hint },
            { header: 'ROLES', value: (k) => k.Roles.join(',') },
            { header: 'SHARED SPACES', value: (k) => k.SharedSpaces.join(',') },
            { header: 'CREATED', value: (k) => k.CreationDate },
            { header: 'REVOKED', value: (k) => (k.Revoked ? 'yes' : 'no') },
          ],
          'No API keys.',
        ),
      );
    }),
  );

  apiCommand(keys, 'create', 'create an API key; the key is shown this once')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(
      new Option('--role <role>', 'admin, integration or read-only (repeatable; default admin)').argParser(collect),
    )
    .option('--shared-space <space>', 'a shared space whose tunnel the key may open (repeatable)', collect)
    .option('--subscription <id>', 'the tenant (only the bootstrap key may name another than its own)')
    .action(
      act(async (ctx) => {
        const o = ctx.flags as { name: string; role?: string[]; sharedSpace?: string[]; subscription?: string };
        const roles = (o.role ?? ['admin']).map((role) => {
          if (role !== 'admin' && role !== 'integration' && role !== 'read-only') {
            throw new InputError(`--role takes admin, integration or read-only, not "${role}"`);
          }
          return role;
        });
        const body = {
          Name: o.name,
          Roles: roles,
          ...(o.sharedSpace !== undefined && { SharedSpaces: o.sharedSpace }),
          ...(o.subscription !== undefined && { SubscriptionID: positive('--subscription', o.subscription) }),
        };
        const created = await ctx.call(() => ctx.client.POST('/api/v2/apikey', { body }));
        ctx.show(created, () => `${fields(created)}The key is shown only now: keep it.\n`);
      }),
    );

  apiCommand(keys, 'revoke', 'revoke an API key (its open tunnels close at once)')
    .argument('<key-id>', 'the KeyID from `hookline keys list`')
    .action(
      act(async (ctx, id: string) => {
        await ctx.call(() => ctx.client.DELETE('/api/v2/apikey/{id}', { params: { path: { id } } }));
        ctx.show({ revoked: id }, () => `Revoked key ${id}.\n`);
      }),
    );
}

type Hook = Schema<'HookResponse'>;

function addHooks(program: Command, apiCommand: ApiCommand, act: Act): void {
  const hooks = program.command('hooks').description("a pipeline's incoming hooks: list, create, delete");

  apiCommand(hooks, 'list', "list a pipeline's incoming hooks, or every pipeline's without one")
    .argument('[pipeline]', 'the pipeline id')
    .action(
      act(async (ctx, pipeline: string | undefined) => {
        const ids =
          pipeline !== undefined ? [pipeline] : (await ctx.call(() => ctx.client.GET('/pipelines'))).map((p) => p.id);
        const all: Hook[] = [];
        for (const pipeline_id of ids) {
          all.push(
            ...(await ctx.call(() =>
              ctx.client.GET('/pipelines/{pipeline_id}/hooks', { params: { path: { pipeline_id } } }),
            )),
          );
        }
        ctx.show(all, () =>
          table(
            all,
            [
              { header: 'ID', value: (h) => h.id },
              { header: 'PIPELINE', value: (h) => h.pipeline_id },
              { header: 'NAME', value: (h) => h.name },
              { header: 'ACTION', value: (h) => h.action_type },
              { header: 'SIGNED', value: (h) => (h.requires_secret ? h.secret_algorithm : 'no') },
              { header: 'ENABLED', value: (h) => (h.disabled ? 'no' : 'yes') },
              { header: 'URL', value: (h) => h.url },
            ],
            'No incoming hooks.',
          ),
        );
      }),
    );

  apiCommand(hooks, 'create', 'create an incoming hook on a pipeline; its secret is shown this once')
    .argument('<pipeline>', 'the pipeline id')
    .option('-f, --file <hook.json>', 'the hook as JSON (the API fields); flags override its fields')
    .option('--name <name>', 'name')
    .option('--action-type <type>', 'what the run does, e.g. deploy')
    .option('--no-secret', 'accept unsigned calls (the URL alone guards the hook)')
    .addOption(new Option('--algorithm <algorithm>', 'HMAC algorithm').choices(['sha1', 'sha256', 'sha512']))
    .option('--signature-header <name>', 'header carrying the signature, e.g. X-Hub-Signature-256')
    .option('--delivery-id-header <name>', "header with the sender's delivery id, e.g. X-GitHub-Delivery")
    .action(
      act(async (ctx, pipeline_id: string) => {
        const o = ctx.flags as {
          file?: string;
          name?: string;
          actionType?: string;
          secret: boolean;
          algorithm?: 'sha1' | 'sha256' | 'sha512';
          signatureHeader?: string;
          deliveryIdHeader?: string;
        };
        const fromFile = o.file === undefined ? {} : (readJsonFile(o.file) as Partial<Schema<'CreateHookDto'>>);
        const body = {
          ...fromFile,
          ...(o.name !== undefined && { name: o.name }),
          ...(o.actionType !== undefined && { action_type: o.actionType }),
          ...(!o.secret && { requires_secret: false }),
          ...(o.algorithm !== undefined && { secret_algorithm: o.algorithm }),
          ...(o.signatureHeader !== undefined && { secret_header_name: o.signatureHeader }),
          ...(o.deliveryIdHeader !== undefined && { delivery_id_header_name: o.deliveryIdHeader }),
        };
        if (body.name === undefined || body.action_type === undefined) {
          throw new InputError('an incoming hook needs --name and --action-type (or the fields in --file)');
        }
        const created = await ctx.call(() =>
          ctx.client.POST('/pipelines/{pipeline_id}/hooks/incoming', {
            params: { path: { pipeline_id } },
            body: body as Schema<'CreateHookDto'>,
          }),
        );
        const note = created.secret ? 'The secret is shown only now: keep it.\n' : '';
        ctx.show(created, () => `${fields(created)}${note}`);
      }),
    );

  apiCommand(hooks, 'delete', 'delete an incoming hook')
    .argument('<pipeline>', 'the pipeline id')
    .argument('<hook>', 'the hook id')
    .action(
      act(async (ctx, pipeline_id: string, hook_id: string) => {
        await ctx.call(() =>
          ctx.client.DELETE('/pipelines/{pipeline_id}/hooks/{hook_id}', { params: { path: { pipeline_id, hook_id } } }),
        );
        ctx.show({ deleted: hook_id }, () => `Deleted incoming hook ${hook_id}.\n`);
      }),
    );
}

/** Runs `hookline` with `argv`; resolves with the exit code (commander's own usage errors become 64). */
export async function runProgram(
  argv: string[],
  io: ProgramIo,
  runListen: (argv: string[]) => Promise<number>,
): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, runListen, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return code;
}
