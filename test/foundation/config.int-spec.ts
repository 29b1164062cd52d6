import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS, SERVICES } from '@hookline/testing';

const ROOT = join(__dirname, '..', '..');

/** Runs a built service with exactly this environment and collects how it ended. */
function runService(name: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(ROOT, 'apps', name, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} kept running with a missing setting`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a service with a missing or wrong setting refuses to start and names it', () => {
  it.each(SERVICES.map((s) => s.name))('%s without NATS_URL exits non-zero naming NATS_URL', async (name) => {
    const { code, stderr } = await runService(name, {});
    expect(code).not.toBe(0);
    expect(stderr).toContain(`${name}: invalid configuration`);
    expect(stderr).toContain('NATS_URL is required');
  });

  it('a port that is not a number is named with the reason', async () => {
    const { code, stderr } = await runService('matcher', { NATS_URL: 'nats://127.0.0.1:1', PORT: 'eighty' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/PORT: PORT must be an integer number/);
  });

  it('a tracing setting it cannot use is named, before any tracing starts', async () => {
    const { code, stderr } = await runService('dispatcher', {
      NATS_URL: 'nats://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: OTEL_EXPORTER_OTLP_PROTOCOL must be one of/);
  });
});
