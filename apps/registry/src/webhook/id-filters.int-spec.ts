import { createConnection, type Connection, type mongo } from 'mongoose';
import { startTestInfra, type TestInfra } from '@hookline/testing';

/**
 * The repository scopes every lookup and write by `_id` with more conditions (tenant, version,
 * not deleted). The embedded server is built to look such filters up by key (docs/storage.md);
 * these are the answers MongoDB gives, which that must not change.
 */
describe('filters that name an _id and more', () => {
  let infra: TestInfra;
  let connection: Connection;
  let webhooks: mongo.Collection<{
    _id: string;
    SubscriptionID: number;
    ObjectVersion: number;
    DeletedAt: Date | null;
  }>;

  beforeAll(async () => {
    infra = await startTestInfra();
    connection = await createConnection(infra.mongoUrl).asPromise();
    webhooks = connection.db!.collection('webhooks');
    await webhooks.insertMany(
      Array.from({ length: 40 }, (_, i) => ({
        _id: `w-${i}`,
        SubscriptionID: i % 4,
        ObjectVersion: 1,
        DeletedAt: i % 10 === 9 ? new Date() : null,
      })),
    );
  });

  afterAll(async () => {
    await connection?.close();
    await infra?.stop();
  });

  it('finds a webhook only in its own tenant, and not once deleted', async () => {
    expect(await webhooks.findOne({ _id: 'w-5', SubscriptionID: 1, DeletedAt: null })).toMatchObject({ _id: 'w-5' });
    expect(await webhooks.findOne({ _id: 'w-5', SubscriptionID: 2, DeletedAt: null })).toBeNull();
    expect(await webhooks.findOne({ _id: 'w-9', SubscriptionID: 1, DeletedAt: null })).toBeNull();
    expect(await webhooks.findOne({ _id: 'w-none', SubscriptionID: 1 })).toBeNull();
  });

  it('applies a versioned update once, and never to a stale version', async () => {
    const filter = { _id: 'w-6', SubscriptionID: 2, ObjectVersion: 1 };
    expect((await webhooks.updateOne(filter, { $set: { ObjectVersion: 2 } })).modifiedCount).toBe(1);
    expect((await webhooks.updateOne(filter, { $set: { ObjectVersion: 3 } })).modifiedCount).toBe(0);
    const found = await webhooks.findOneAndUpdate(
      { _id: 'w-6', SubscriptionID: 3, ObjectVersion: 2 },
      { $set: { ObjectVersion: 3 } },
      { returnDocument: 'after' },
    );
    expect(found).toBeNull();
    expect(await webhooks.findOne({ _id: 'w-6' })).toMatchObject({ ObjectVersion: 2 });
  });

  it('reads a list of ids less those the other conditions leave out', async () => {
    const ids = ['w-1', 'w-9', 'w-19', 'w-20', 'w-none'];
    const live = await webhooks.find({ _id: { $in: ids }, DeletedAt: null }).toArray();
    expect(live.map((w) => w._id).sort()).toEqual(['w-1', 'w-20']);
    expect(await webhooks.countDocuments({ _id: { $in: ids }, SubscriptionID: 0 })).toBe(1);
  });

  it('deletes only what the whole filter matches', async () => {
    expect((await webhooks.deleteOne({ _id: 'w-7', SubscriptionID: 3, DeletedAt: { $ne: null } })).deletedCount).toBe(
      0,
    );
    expect((await webhooks.deleteOne({ _id: 'w-19', SubscriptionID: 3, DeletedAt: { $ne: null } })).deletedCount).toBe(
      1,
    );
    expect(await webhooks.countDocuments({})).toBe(39);
  });
});
