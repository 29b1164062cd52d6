import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `Usage: hookline user add <email> [--roles admin,read-only] [--subscription <id>]

Creates a user who signs in with POST /users/login. The password is read from standard input
(./hookline prompts for it on a terminal), never from the command line.
  --roles         comma-separated: admin, integration, read-only (default: admin)
  --subscription  the user's subscription (default: the bootstrap admin key's own)
The running stack is found through .hookline/stack.json, or HOOKLINE_REGISTRY_URL and
HOOKLINE_ADMIN_KEY.`;

export interface AddUser {
  email: string;
  roles: string[];
  subscriptionId?: number;
}

/** The command line of `hookline user add`, or an error message meant for the person typing it. */
export function parseUserCommand(argv: string[]): AddUser {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { roles: { type: 'string' }, subscription: { type: 'string' } },
  });
  const [command, email, ...rest] = positionals;
  if (command !== 'add') throw new Error(command ? `unknown command: user ${command}` : 'missing command');
  if (!email) throw new Error('missing <email>');
  if (rest.length > 0) throw new Error(`unexpected argument: ${rest[0]}`);
  const roles = (values.roles ?? 'admin').split(',').map((role) => role.trim());
  let subscriptionId: number | undefined;
  if (values.subscription !== undefined) {
    subscriptionId = Number(values.subscription);
    if (!Number.isInteger(subscriptionId) || subscriptionId < 1)
      throw new Error('--subscription must be a positive integer');
  }
  return { email, roles, subscriptionId };
}

/** Where the running stack's registry is and the admin key to speak as. */
export function stackTarget(env: NodeJS.ProcessEnv, stateDir: string): { url: string; adminKey: string } {
  const statePath = join(stateDir, 'stack.json');
  const state = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as { url?: string }) : {};
  // The front door routes /api/v2/users to the registry.
  const url = env.HOOKLINE_REGISTRY_URL ?? state.url;
  const keyPath = join(stateDir, 'admin-key');
  const adminKey = env.HOOKLINE_ADMIN_KEY ?? (existsSync(keyPath) ? readFileSync(keyPath, 'utf8').trim() : undefined);
  if (!url || !adminKey) {
    throw new Error(
      'no running stack found: start it with ./hookline up, or set HOOKLINE_REGISTRY_URL and HOOKLINE_ADMIN_KEY',
    );
  }
  return { url, adminKey };
}

/** The first line of standard input: the password, without its line ending. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<number> {
  let command: AddUser;
  try {
    command = parseUserCommand(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { url, adminKey } = stackTarget(process.env, join(__dirname, '../../../../.hookline'));
  const response = await fetch(`${url}/api/v2/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      Email: command.email,
      Password: await readPassword(),
      Roles: command.roles,
      SubscriptionID: command.subscriptionId,
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 201) {
    const details = (body.details as { field: string; reason: string }[] | undefined) ?? [];
    process.stderr.write([`${String(body.message)}`, ...details.map((d) => `  ${d.reason}`)].join('\n') + '\n');
    return 1;
  }
  process.stdout.write(
    `User ${String(body.Email)} (${String(body.UserID)}) created in subscription ${String(body.SubscriptionID)} ` +
      `with roles ${(body.Roles as string[]).join(', ')}; sign in with POST /users/login.\n`,
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
