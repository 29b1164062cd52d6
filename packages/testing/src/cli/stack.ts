#!/usr/bin/env node
/**
 * The local stack behind `./hookline up`: NATS with JetStream and a MongoDB-wire server (resolved
 * like the tests resolve them), then the six services, each on its port, behind the front door
 * (Caddy) on HOOKLINE_PORT (8080), the one URL users need. Ctrl-C / SIGTERM stops
 * everything in reverse order. State and logs live in `.hookline/` at the repository root.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessStack } from '../stack/process-stack';

const ROOT = resolve(__dirname, '../../../..');
const STATE = join(ROOT, '.hookline');

/** A secret kept across runs in `.hookline/`, unless the operator gives one in the environment. */
function persistentSecret(envName: string, file: string, make: () => string): string {
  const given = process.env[envName];
  if (given) return given;
  const path = join(STATE, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

async function main(): Promise<void> {
  mkdirSync(join(STATE, 'logs'), { recursive: true });
  const adminKey = persistentSecret(
    'HOOKLINE_ADMIN_KEY',
    'admin-key',
    () => `hk_admin_${randomBytes(24).toString('base64url')}`,
  );
  const encryptionKey = persistentSecret('HOOKLINE_ENCRYPTION_KEY', 'encryption-key', () =>
    randomBytes(32).toString('base64'),
  );

  let stack: ProcessStack | undefined;
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      process.stdout.write('\nStopping Hookline...\n');
      await stack?.stop();
      rmSync(join(STATE, 'stack.json'), { force: true });
      process.stdout.write('Stopped.\n');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    stack = await ProcessStack.start({
      defaultPorts: true,
      frontDoor: Number(process.env.HOOKLINE_PORT ?? 8080),
      natsPort: 4222,
      natsStoreDir: join(STATE, 'data', 'nats'),
      mongoPort: 27017,
      mongoDataDir: join(STATE, 'data', 'mongo'),
      logDir: join(STATE, 'logs'),
      adminKey,
      encryptionKey,
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    });
  } catch (err) {
    process.stderr.write(`Hookline did not start: ${(err as Error).message}\nLogs: ${join(STATE, 'logs')}\n`);
    return stopAll(1);
  }
  stack.onUnexpectedExit = (service, code) => {
    if (stopping) return;
    process.stderr.write(`${service} exited unexpectedly (code ${code}); see .hookline/logs/${service}.log\n`);
    void stopAll(1);
  };

  const sources = stack.infraSources;
  const services = stack.serviceNames().map((name) => ({ name, url: stack.url(name) }));
  process.stdout.write(
    [
      `Hookline: ${stack.publicUrl}   (API reference: ${stack.publicUrl}/docs, document: ${stack.publicUrl}/openapi.json)`,
      '',
      `NATS:    ${stack.natsUrl} (${sources.nats})`,
      `MongoDB: ${stack.databaseUrl} (${sources.mongo})`,
      '',
      'Services (internal; health at /health/ready):',
      ...services.map((s) => `  ${s.name.padEnd(15)} ${s.url}   (docs: ${s.url}/docs)`),
      '',
      `Admin API key: ${adminKey}`,
      `Logs: ${join(STATE, 'logs')}`,
      process.env.HOOKLINE_DETACHED ? 'Stop it with: ./hookline down' : 'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(STATE, 'stack.json'),
    JSON.stringify({ pid: process.pid, adminKey, url: stack.publicUrl, services }, null, 2),
  );
}

void main();
