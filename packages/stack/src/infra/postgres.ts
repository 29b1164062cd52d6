import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFerretDb, FERRETDB_VERSION } from './mongo';
import { startedServer } from './nats';
import { freePort, spawnServer, waitForPort, type RunningServer } from './process';

export interface StartFerretDbOnPostgresOptions {
  /** FerretDB's port; a free one otherwise. */
  port?: number;
  /** PostgreSQL's cluster directory; a temp dir removed on stop otherwise. */
  dataDir?: string;
}

/** Debian's server binaries (package `postgresql`), newest major version first. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

/**
 * FerretDB 1.x on PostgreSQL: a cluster of its own (initdb into `dataDir`), then FerretDB in front.
 * PostgreSQL refuses to run as root, so as root both initdb and the server run as Debian's
 * `postgres` user, which then owns the cluster directory. For the storage benchmark
 * (docs/benchmarks/2026-12-07-storage.md); the default embedded server is FerretDB on SQLite.
 */
export async function startFerretDbOnPostgres(options: StartFerretDbOnPostgresOptions = {}): Promise<RunningServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('No PostgreSQL server: install Debian package postgresql.');
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hookline-postgres-'));
  const owned = options.dataDir !== undefined;
  const cluster = join(dataDir, 'cluster');
  const socketDir = join(dataDir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  const asUser = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (asUser) {
    chownSync(dataDir, asUser.uid, asUser.gid);
    chownSync(socketDir, asUser.uid, asUser.gid);
  }
  const run = (command: string, args: string[]): string[] =>
    asUser
      ? ['setpriv', `--reuid=${asUser.uid}`, `--regid=${asUser.gid}`, '--clear-groups', command, ...args]
      : [command, ...args];
  if (!existsSync(join(cluster, 'PG_VERSION'))) {
    const [command, ...args] = run(join(bin, 'initdb'), [
      '-D',
      cluster,
      '-U',
      'ferretdb',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    const init = spawnSync(command!, args, { encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stderr}`);
  }
  const pgPort = await freePort();
  const [pgCommand, ...pgArgs] = run(join(bin, 'postgres'), [
    '-D',
    cluster,
    '-p',
    String(pgPort),
    '-k',
    socketDir,
    '-c',
    'listen_addresses=127.0.0.1',
    // The durability SQLite is given (synchronous=normal): commits reach the WAL file at once and
    // disk within a fraction of a second, so a killed process loses nothing it acknowledged.
    '-c',
    'synchronous_commit=off',
  ]);
  const postgres = spawnServer(pgCommand!, pgArgs);
  const removeCluster = async (): Promise<void> => {
    if (!owned) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(pgPort, postgres.child, 'PostgreSQL');
    await waitForDatabase(join(bin, 'pg_isready'), pgPort);
    const created = spawnSync(
      join(bin, 'createdb'),
      ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'ferretdb', 'ferretdb'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    if (created.status !== 0 && !created.stderr.includes('already exists'))
      throw new Error(`createdb failed: ${created.stderr}`);
  } catch (err) {
    postgres.child.kill('SIGKILL');
    await removeCluster();
    throw new Error(`${(err as Error).message}\n${postgres.output()}`, { cause: err });
  }
  const port = options.port ?? (await freePort());
  const ferret = spawnServer(ensureFerretDb(), [
    '--handler=postgresql',
    `--postgresql-url=postgres://ferretdb@127.0.0.1:${pgPort}/ferretdb`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ]);
  const stopPostgres = async (): Promise<void> => {
    if (postgres.child.exitCode === null && postgres.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => postgres.child.once('exit', () => resolve()));
      // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, the checkpoint is written.
      postgres.child.kill('SIGINT');
      const timer = setTimeout(() => postgres.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await removeCluster();
  };
  return startedServer(
    `mongodb://127.0.0.1:${port}`,
    port,
    ferret,
    `FerretDB ${FERRETDB_VERSION} (PostgreSQL)`,
    stopPostgres,
  );
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('Running as root needs the postgres user (Debian package postgresql).');
  return { uid, gid: id('-g') };
}

async function waitForDatabase(pgIsReady: string, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (spawnSync(pgIsReady, ['-h', '127.0.0.1', '-p', String(port)], { timeout: 5_000 }).status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`PostgreSQL on port ${port} did not accept connections within 30 s`);
}
