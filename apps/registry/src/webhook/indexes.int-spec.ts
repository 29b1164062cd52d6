import { createConnection, Schema, type Connection } from 'mongoose';
import { buildIndexes, detectCapabilities, isDuplicateKeyError, sweepExpired } from '@hookline/service-kit';
import { startTestInfra, type TestInfra } from '@hookline/testing';

interface Entry {
  _id: string;
  Key: string;
  Owner: number;
  At: Date;
}

const EntrySchema = new Schema<Entry>({ _id: String, Key: String, Owner: Number, At: Date }, { versionKey: false });
EntrySchema.index({ Key: 1 }, { unique: true });
EntrySchema.index({ Owner: 1, At: -1 });
EntrySchema.index({ At: 1 }, { expireAfterSeconds: 3600 });

/** The registry's delivery log is what this is for: it has the busiest collection with a plain index. */
describe('buildIndexes: the indexes of every model, less those the server never reads', () => {
  let infra: TestInfra;
  let connection: Connection;

  beforeAll(async () => {
    infra = await startTestInfra();
    connection = await createConnection(infra.mongoUrl, { autoIndex: false }).asPromise();
    connection.model('Entry', EntrySchema, 'entries');
  });

  afterAll(async () => {
    await connection?.close();
    await infra?.stop();
  });

  it('builds unique indexes everywhere, and plain and TTL ones only where the server has them', async () => {
    const can = await detectCapabilities(connection.db!);
    // A server without TTL indexes refuses one ("not implemented"): asking for one made the whole build stop.
    const result = await buildIndexes(connection, can);
    const plainBuilt = can.secondaryIndexes ? 2 : 0;
    expect(result).toEqual({
      built: 1 + plainBuilt,
      skipped: 2 - plainBuilt,
      failed: [],
      unexpired: can.ttlIndexes ? [] : [{ collection: expect.anything(), field: 'At', seconds: 3600 }],
    });
    const indexes = await connection.collection('entries').indexes();
    const keys = indexes.map((index) => index.key);
    expect(keys).toContainEqual({ Key: 1 });
    for (const key of [{ Owner: 1, At: -1 }, { At: 1 }]) {
      if (can.secondaryIndexes) expect(keys).toContainEqual(key);
      else expect(keys).not.toContainEqual(key);
    }
    const ttl = indexes.find((index) => index.key.At === 1 && Object.keys(index.key).length === 1);
    expect(ttl?.expireAfterSeconds).toBe(can.ttlIndexes ? 3600 : undefined);

    // The unique index is enforced, not only listed.
    const entries = connection.model<Entry>('Entry');
    await entries.create({ _id: 'a', Key: 'k', Owner: 1, At: new Date() });
    const refused = await entries.create({ _id: 'b', Key: 'k', Owner: 1, At: new Date() }).catch((err: unknown) => err);
    expect(isDuplicateKeyError(refused)).toBe(true);

    // Where the TTL index is missing, the sweep deletes what it would have expired, and only that.
    await entries.create({ _id: 'old', Key: 'o', Owner: 1, At: new Date(Date.now() - 7_200_000) });
    expect(await sweepExpired(result.unexpired)).toBe(can.ttlIndexes ? 0 : 1);
    if (!can.ttlIndexes) expect((await entries.find({}, { _id: 1 }).lean()).map((e) => e._id)).toEqual(['a']);
  });
});
