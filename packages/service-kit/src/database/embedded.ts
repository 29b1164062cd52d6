import type { Connection, mongo } from 'mongoose';

/**
 * What the MongoDB-wire server lacks, and what is done instead: the one place that knows about the
 * embedded server (FerretDB 1.x), see docs/storage.md. Everything else is written for MongoDB.
 */
export interface ServerCapabilities {
  /** What the server is, for the start-up log line. */
  server: string;
  /** Deletes documents by a TTL index (`expireAfterSeconds`) itself; if not, sweepExpired does. */
  ttlIndexes: boolean;
  /**
   * Reads indexes other than `_id` to answer queries. If not, a plain index is only write cost
   * (docs/storage.md) and is not built;
   * unique indexes are built everywhere, since they also refuse duplicates.
   */
  secondaryIndexes: boolean;
}

/**
 * Single-document updates sent in one write command, at most. FerretDB 1.x keeps each update's
 * query open until the whole command ends, one pooled backend connection each (100 on SQLite, 50
 * on PostgreSQL), and then waits for one more to write: a command of a hundred updates waited
 * forever, and with it every later write to the server (docs/storage.md). Sixteen leaves room for
 * three such commands at once on PostgreSQL; MongoDB takes them in any number.
 */
export const MAX_UPDATES_PER_COMMAND = 16;

/** Explained to tell FerretDB's backends apart: only PostgreSQL's plans say `Node Type`. */
const PROBE_COLLECTION = 'hookline_server_probe';
const NAMESPACE_EXISTS = 48;

/** MongoDB has every capability; FerretDB 1.x has no TTL indexes, and reads other indexes on PostgreSQL only. */
export async function detectCapabilities(db: mongo.Db): Promise<ServerCapabilities> {
  const info = await db.admin().command({ buildInfo: 1 });
  const ferret = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  if (!ferret) return { server: `MongoDB ${String(info.version)}`, ttlIndexes: true, secondaryIndexes: true };
  if (!ferret.startsWith('v1.')) return { server: `FerretDB ${ferret}`, ttlIndexes: true, secondaryIndexes: true };
  await db.createCollection(PROBE_COLLECTION).catch((err: unknown) => {
    if ((err as { code?: unknown }).code !== NAMESPACE_EXISTS) throw err;
  });
  const plan = await db.command({ explain: { find: PROBE_COLLECTION, filter: { probe: 1 } } });
  const postgres = JSON.stringify(plan.queryPlanner ?? {}).includes('Node Type');
  return {
    server: `FerretDB ${ferret} (${postgres ? 'PostgreSQL' : 'SQLite'})`,
    ttlIndexes: false,
    secondaryIndexes: postgres,
  };
}

/** A TTL index the server does not have, done by sweepExpired instead. */
export interface ExpiryRule {
  collection: mongo.Collection;
  field: string;
  seconds: number;
}

export interface IndexBuild {
  built: number;
  skipped: number;
  failed: string[];
  /** TTL indexes left to sweepExpired (none where the server has TTL indexes). */
  unexpired: ExpiryRule[];
}

/**
 * Builds every model's indexes (mongoose's autoIndex is off), each on its own: one that fails is
 * reported and the others are still built. Leaves out what the server would not use or refuses.
 */
export async function buildIndexes(connection: Connection, capabilities?: ServerCapabilities): Promise<IndexBuild> {
  const can = capabilities ?? (await detectCapabilities(connection.db!));
  const result: IndexBuild = { built: 0, skipped: 0, failed: [], unexpired: [] };
  for (const model of Object.values(connection.models)) {
    for (const [fields, declared] of model.schema.indexes()) {
      let options = declared as mongo.CreateIndexesOptions;
      const field = Object.keys(fields)[0];
      if (typeof options.expireAfterSeconds === 'number' && !can.ttlIndexes && field !== undefined) {
        result.unexpired.push({ collection: model.collection, field, seconds: options.expireAfterSeconds });
        // The sweep's query still gets the index where the server reads it.
        options = { ...options };
        delete options.expireAfterSeconds;
      }
      if (!options.unique && !can.secondaryIndexes) {
        result.skipped++;
        continue;
      }
      try {
        await model.collection.createIndex(fields as mongo.IndexSpecification, options);
        result.built++;
      } catch (err) {
        result.failed.push(`${model.collection.collectionName} ${JSON.stringify(fields)}: ${String(err)}`);
      }
    }
  }
  return result;
}

/** Deletes what the given TTL indexes would have expired by `now`; answers how many documents went. */
export async function sweepExpired(rules: ExpiryRule[], now = Date.now()): Promise<number> {
  let deleted = 0;
  for (const { collection, field, seconds } of rules) {
    deleted += (await collection.deleteMany({ [field]: { $lte: new Date(now - seconds * 1000) } })).deletedCount;
  }
  return deleted;
}
