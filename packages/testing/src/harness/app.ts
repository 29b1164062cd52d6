import { createServiceApp, scheme, startServiceApp, type ServiceAppOptions } from '@hookline/service-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';

export interface RunningApp {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> of the listening app (https when it serves TLS). */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a service in-process on a free port with the given settings, built exactly as `main.ts`
 * builds it. Settings are read from the environment at creation, so they are set just for that.
 */
export async function startApp(options: ServiceAppOptions, env: Record<string, string>): Promise<RunningApp> {
  const settings: Record<string, string> = {
    LOG_LEVEL: 'warn',
    PORT: '0',
    // The run's one MongoDB-wire server queues the writes of every test file at once; a deadline
    // sized for one stack's own database would fire on that queue, not on a stalled server.
    MONGO_SOCKET_TIMEOUT_MS: '20000',
    ...env,
  };
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  let app: NestExpressApplication;
  try {
    app = await createServiceApp(options);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  await startServiceApp(app, 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `${scheme(app)}://127.0.0.1:${address.port}`, close: () => app.close() };
}
