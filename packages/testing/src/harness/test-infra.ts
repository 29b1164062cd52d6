import { randomBytes } from 'node:crypto';
import { mongoUrlFor, startMongo, startNats, type RunningServer } from '@hookline/stack';

export interface TestInfra {
  natsUrl: string;
  /** A database of this test file's own on the run's MongoDB-wire server. */
  mongoUrl: string;
  nats: RunningServer;
  /** Stops what this file started (its NATS server; a MongoDB started for it alone). */
  stop(): Promise<void>;
}

/**
 * Infrastructure for one integration test file: a private nats-server (stream names are global
 * to a server, so files must not share one) and a fresh database on the run's MongoDB server.
 */
export async function startTestInfra(): Promise<TestInfra> {
  const nats = await startNats({ private: true });
  const sharedMongo = process.env.HOOKLINE_TEST_MONGO_URL;
  let ownMongo: RunningServer | undefined;
  if (!sharedMongo) ownMongo = await startMongo();
  const base = sharedMongo ?? ownMongo!.url;
  return {
    natsUrl: nats.url,
    mongoUrl: mongoUrlFor(base, `t_${randomBytes(6).toString('hex')}`),
    nats,
    stop: async () => {
      await nats.stop();
      await ownMongo?.stop();
    },
  };
}
