#!/usr/bin/env node
/**
 * The local stack behind `./hookline up`: NATS with JetStream and a MongoDB-wire server (resolved
 * like the tests resolve them), then the six services, each on its port. Ctrl-C / SIGTERM stops
 * everything in reverse order. State and logs live in `.hookline/` at the repository root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mongoUrlFor, startMongo } from '../infra/mongo';
import { startNats } from '../infra/nats';
import { stopProcess, type RunningServer } from '../infra/process';
import { SERVICES, servicePort, type ServiceSpec } from '../stack/services';

const ROOT = resolve(__dirname, '../../../..');
const STATE = join(ROOT, '.hookline');
const READY_TIMEOUT_MS = 90_000;

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  url: string;
}

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

async function waitReady(service: Running): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(
        `${service.spec.name} exited with code ${service.child.exitCode}; see .hookline/logs/${service.spec.name}.log`,
      );
    }
    try {
      const res = await fetch(`${service.url}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${service.spec.name} was not ready within ${READY_TIMEOUT_MS / 1000} s; see .hookline/logs/${service.spec.name}.log`,
  );
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
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

  const infra: RunningServer[] = [];
  const services: Running[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      process.stdout.write('\nStopping Hookline...\n');
      await Promise.all([...services].reverse().map((s) => stopProcess(s.child, 15_000)));
      for (const server of infra.reverse()) await server.stop();
      rmSync(join(STATE, 'stack.json'), { force: true });
      process.stdout.write('Stopped.\n');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const nats = await startNats({ port: 4222, storeDir: join(STATE, 'data', 'nats') });
    infra.push(nats);
    const mongo = await startMongo({ port: 27017, dataDir: join(STATE, 'data', 'mongo') });
    infra.push(mongo);
    process.stdout.write(`NATS:    ${nats.url} (${nats.source})\nMongoDB: ${mongo.url} (${mongo.source})\n`);

    for (const spec of SERVICES) {
      const port = servicePort(spec);
      const log = createWriteStream(join(STATE, 'logs', `${spec.name}.log`), { flags: 'a' });
      const child = spawn(process.execPath, [join(ROOT, 'apps', spec.name, 'dist', 'main.js')], {
        cwd: join(ROOT, 'apps', spec.name),
        env: {
          ...process.env,
          PORT: String(port),
          NATS_URL: nats.url,
          MONGO_URL: mongoUrlFor(mongo.url, 'hookline'),
          HOOKLINE_ADMIN_KEY: adminKey,
          HOOKLINE_ENCRYPTION_KEY: encryptionKey,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      services.push({ spec, child, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(
      services.map(async (service) => {
        try {
          await waitReady(service);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${tail(join(STATE, 'logs', `${service.spec.name}.log`))}`, {
            cause: err,
          });
        }
      }),
    );
  } catch (err) {
    process.stderr.write(`Hookline did not start: ${(err as Error).message}\n`);
    return stopAll(1);
  }

  for (const service of services) {
    service.child.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(
        `${service.spec.name} exited unexpectedly (code ${code}); see .hookline/logs/${service.spec.name}.log\n`,
      );
      void stopAll(1);
    });
  }
  const lines = services.map((s) => `  ${s.spec.name.padEnd(15)} ${s.url}   (docs: ${s.url}/docs)`);
  process.stdout.write(
    [
      '',
      'Hookline is up:',
      ...lines,
      '',
      `Admin API key: ${adminKey}`,
      `Logs: ${join(STATE, 'logs')}`,
      process.env.HOOKLINE_DETACHED ? 'Stop it with: ./hookline down' : 'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(STATE, 'stack.json'),
    JSON.stringify(
      { pid: process.pid, adminKey, services: services.map((s) => ({ name: s.spec.name, url: s.url })) },
      null,
      2,
    ),
  );
}

void main();
