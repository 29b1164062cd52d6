import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './process';

/** Where binaries built with Go (FerretDB, nats-server) are kept across clones. */
export function cacheDir(): string {
  return process.env.HOOKLINE_CACHE_DIR ?? join(homedir(), '.cache', 'hookline');
}

/** The `go` command on PATH or in Go's default install place, if any. */
export function findGo(): string | undefined {
  return findExecutable('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** Runs a go command without cgo; its stdout, or an error with its stderr. */
export function runGo(go: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = spawnSync(go, args, {
    cwd,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    env: { ...process.env, CGO_ENABLED: '0', ...env },
  });
  if (result.status !== 0) {
    throw new Error(`${go} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  return result.stdout;
}
