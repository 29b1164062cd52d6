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

/**
 * FerretDB 1.24's SQLite backend creates its `_id` index on `_ferretdb_sjson->"_id"` but looks
 * documents up with `_ferretdb_sjson->'$._id'`; SQLite uses an expression index only for the same
 * expression, so every lookup, update and delete by `_id` scanned the whole table (docs/storage.md).
 * The build makes the lookups use the index's expression, which yields the same JSON value. The
 * same bug for its PostgreSQL backend: FerretDB issue #4646.
 */
const ID_LOOKUP_FIX = {
  file: join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: 'IDColumn = DefaultColumn + `->"_id"`',
};

/**
 * Path of a FerretDB binary, built from the Go module proxy on first use (with ID_LOOKUP_FIX) and
 * cached. `go install` cannot be used as is: the published module lacks the version file its init
 * checks.
 */
export function ensureFerretDb(): string {
  const binary = join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-id-index`);
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
    const metadata = join(buildDir, ID_LOOKUP_FIX.file);
    const source = readFileSync(metadata, 'utf8');
    if (!source.includes(ID_LOOKUP_FIX.from))
      throw new Error(`FerretDB build: ${ID_LOOKUP_FIX.file} lacks ${ID_LOOKUP_FIX.from}`);
    writeFileSync(metadata, source.replace(ID_LOOKUP_FIX.from, ID_LOOKUP_FIX.to));
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
