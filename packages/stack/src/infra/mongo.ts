import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, findGo, runGo } from './go-build';
import { startedServer } from './nats';
import {
  commandSucceeds,
  findExecutable,
  freePort,
  isPortFree,
  spawnServer,
  type RunningServer,
  type ServerCommand,
} from './process';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export interface StartMongoOptions {
  port?: number;
  /** Keep data here (the local stack); a temp dir removed on stop otherwise. */
  dataDir?: string;
  /** Ignore MONGO_URL and Docker: always start a local server (fault tests stop and restart it). */
  private?: boolean;
}

/**
 * A MongoDB-wire server, first found of: `MONGO_URL`; a `mongo` container when a Docker engine
 * answers; `mongod` on PATH; FerretDB 1.x with its SQLite backend (built once with `go build`).
 * The returned URL has no database: callers pick one with `mongoUrlFor`.
 */
export async function startMongo(options: StartMongoOptions = {}): Promise<RunningServer> {
  if (process.env.MONGO_URL && !options.private) {
    return { url: stripDatabase(process.env.MONGO_URL), source: 'MONGO_URL', stop: async () => {} };
  }
  if (!options.private && !options.dataDir && dockerAnswers()) return startMongoContainer();
  const port = options.port && (await isPortFree(options.port)) ? options.port : await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hookline-mongo-'));
  mkdirSync(dataDir, { recursive: true });
  const cleanup = async (): Promise<void> => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const server = mongoServerCommand(port, dataDir);
  const spawned = spawnServer(server.command, server.args, server.env);
  return startedServer(`mongodb://127.0.0.1:${port}`, port, spawned, server.source, cleanup);
}

/** `mongod` when on PATH, else FerretDB 1.x on SQLite (built on first use), on 127.0.0.1:`port` with data in `dataDir`. */
export function mongoServerCommand(port: number, dataDir: string): ServerCommand {
  const mongod = findExecutable('mongod');
  if (mongod) {
    return {
      command: mongod,
      args: ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1'],
      env: {},
      source: 'mongod',
    };
  }
  return {
    command: ensureFerretDb(),
    args: [
      '--handler=sqlite',
      // SQLite syncs its write-ahead log at checkpoints rather than at every commit: the durability
      // of MongoDB's own default (acknowledged writes reach its journal within 100 ms), and a process
      // killed outright loses nothing. A sync per commit costs CPU (docs/storage.md).
      `--sqlite-url=file:${dataDir}/?_pragma=synchronous(normal)`,
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    env: FERRETDB_ENV,
    source: `FerretDB ${FERRETDB_VERSION} (SQLite)`,
  };
}

/** The same server with a database of its own, e.g. one per test file. */
export function mongoUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function stripDatabase(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/';
  return parsed.toString();
}

function dockerAnswers(): boolean {
  return findExecutable('docker') !== undefined && commandSucceeds('docker', ['info'], 5_000);
}

async function startMongoContainer(): Promise<RunningServer> {
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const container = await new MongoDBContainer('mongo:8').start();
  return {
    url: stripDatabase(container.getConnectionString()),
    source: 'testcontainers mongo:8',
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * Go's collector runs once the heap doubles by default; FerretDB's heap is small and every
 * document it stores is garbage at once, so it collected all the time (docs/storage.md).
 */
const FERRETDB_ENV = { GOGC: '400' };

/** A change to FerretDB's source that `ensureFerretDb` makes before it builds (docs/storage.md). */
interface SourceFix {
  file: string;
  from: string;
  to: string;
}

const SQLITE_BACKEND = join('internal', 'backends', 'sqlite');

const FERRETDB_SOURCE_FIXES: SourceFix[] = [
  // FerretDB 1.24's SQLite backend creates its `_id` index on `_ferretdb_sjson->"_id"` but looks
  // documents up with `->'$._id'`; SQLite uses an expression index only for the same expression, so
  // every lookup by `_id` scanned the whole table. Same bug on PostgreSQL: FerretDB issue #4646.
  {
    file: join(SQLITE_BACKEND, 'metadata', 'metadata.go'),
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
  },
  // Its queries looked up by key only for a filter of the bare `_id`: a tenant-scoped or versioned
  // lookup (`{_id, SubscriptionID, ...}`) or `{_id: {$in}}` decoded the whole collection.
  // ferretdb/id_pushdown.go narrows any filter with an `_id` value or `$in` to those keys.
  {
    file: join(SQLITE_BACKEND, 'collection.go'),
    from: [
      '\tif params.Filter.Len() == 1 {',
      '\t\tv, _ := params.Filter.Get("_id")',
      '\t\tswitch v.(type) {',
      '\t\tcase string, types.ObjectID:',
      '\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)',
      '\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}',
      '\t\t}',
      '\t}',
    ].join('\n'),
    to: '\twhereClause, args = idWhereClause(params.Filter)',
  },
];

/** Go files added to FerretDB's SQLite backend package before the build. */
const FERRETDB_ADDED_FILES = ['id_pushdown.go'];
const FERRETDB_PATCH_DIR = join(__dirname, '..', '..', 'ferretdb');

/**
 * Path of a FerretDB binary, built from the Go module proxy on first use (with
 * FERRETDB_SOURCE_FIXES) and cached. `go install` cannot be used as is: the published module lacks
 * the version file its init checks.
 */
export function ensureFerretDb(): string {
  const binary = join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-id-pushdown`);
  if (existsSync(binary)) return binary;
  const go = findGo();
  if (!go) {
    throw new Error('No MongoDB-wire server: set MONGO_URL, install mongod, or install Go so FerretDB can be built.');
  }
  const download = runGo(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], tmpdir());
  const moduleDir = (JSON.parse(download) as { Dir: string }).Dir;
  const buildDir = mkdtempSync(join(tmpdir(), 'hookline-ferretdb-src-'));
  try {
    cpSync(moduleDir, buildDir, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', buildDir]);
    writeFileSync(join(buildDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    for (const fix of FERRETDB_SOURCE_FIXES) {
      const file = join(buildDir, fix.file);
      const source = readFileSync(file, 'utf8');
      if (source.split(fix.from).length !== 2)
        throw new Error(`FerretDB build: ${fix.file} does not hold exactly one ${JSON.stringify(fix.from)}`);
      writeFileSync(file, source.replace(fix.from, fix.to));
    }
    for (const name of FERRETDB_ADDED_FILES)
      cpSync(join(FERRETDB_PATCH_DIR, name), join(buildDir, SQLITE_BACKEND, name));
    mkdirSync(cacheDir(), { recursive: true });
    // Per process: two builds at once (setup beside a test run) each rename a whole binary of their own.
    const partial = `${binary}.partial-${process.pid}`;
    runGo(go, ['build', '-o', partial, './cmd/ferretdb'], buildDir);
    renameSync(partial, binary);
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  return binary;
}
