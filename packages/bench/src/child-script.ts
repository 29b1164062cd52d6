import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a script of this package (e.g. `raw-sender.js`) in a child process of its own, so its CPU
 * is not the parent's, with `config` as one JSON argument; resolves with its `RESULT {json}` line.
 * `onSpawn` gets its pid (to name it in CPU figures); `onReady` runs once it prints `READY`.
 */
export async function runChildScript<T>(
  script: string,
  config: unknown,
  what: string,
  { onSpawn, onReady }: { onSpawn?: (pid: number) => void; onReady?: () => Promise<void> } = {},
): Promise<T> {
  const child = spawn(process.execPath, [join(__dirname, script), JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.pid !== undefined) onSpawn?.(child.pid);
  let output = '';
  let ready: Promise<void> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!ready && output.includes('READY\n')) ready = onReady?.() ?? Promise.resolve();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await ready;
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`${what} exited with ${code}: ${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}
