import { startMongo, type RunningServer } from '@hookline/stack';

declare global {
  var __HOOKLINE_MONGO__: RunningServer | undefined;
}

/**
 * One MongoDB-wire server for the whole run (each test file takes a database of its own);
 * NATS is started per test file because stream names are global to a server.
 */
export default async function globalSetup(): Promise<void> {
  const mongo = await startMongo();
  globalThis.__HOOKLINE_MONGO__ = mongo;
  process.env.HOOKLINE_TEST_MONGO_URL = mongo.url;
  process.stdout.write(`\n[hookline testing] MongoDB-wire server: ${mongo.source} at ${mongo.url}\n`);
}
