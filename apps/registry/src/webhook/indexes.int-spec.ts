import { createConnection, Schema, type Connection } from 'mongoose';
import { buildIndexes, isDuplicateKeyError } from '@hookline/service-kit';
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

  it('builds unique indexes everywhere, and plain ones only where the server reads them', async () => {
    const info = await connection.db!.admin().command({ buildInfo: 1 });
    const ferretDbV1 = typeof info.ferretdbVersion === 'string' && info.ferretdbVersion.startsWith('v1.');

    expect(await buildIndexes(connection)).toEqual({ built: ferretDbV1 ? 1 : 2, skipped: ferretDbV1 ? 1 : 0 });
    const keys = (await connection.collection('entries').indexes()).map((index) => index.key);
    expect(keys).toContainEqual({ Key: 1 });
    if (ferretDbV1) expect(keys).not.toContainEqual({ Owner: 1, At: -1 });
    else expect(keys).toContainEqual({ Owner: 1, At: -1 });

    // The unique index is enforced, not only listed.
    const entries = connection.model<Entry>('Entry');
    await entries.create({ _id: 'a', Key: 'k', Owner: 1, At: new Date() });
    const refused = await entries.create({ _id: 'b', Key: 'k', Owner: 1, At: new Date() }).catch((err: unknown) => err);
    expect(isDuplicateKeyError(refused)).toBe(true);
  });
});
