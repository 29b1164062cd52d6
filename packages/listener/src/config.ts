import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** What `hookline login` keeps between runs. */
export interface StoredConfig {
  /** The front door's URL the credentials belong to. */
  url?: string;
  /** An access token from `POST /users/login`, or an API key. */
  token?: string;
  /** `session` tokens are revoked on logout; API keys are only forgotten. */
  tokenKind?: 'session' | 'api-key';
  /** Who signed in, to show in `hookline login`'s answer and errors. */
  email?: string;
  /** ISO time the session token expires. */
  expiresAt?: string;
}

/** The config file: `HOOKLINE_CONFIG`, else `$XDG_CONFIG_HOME/hookline/config.json`, else `~/.config/hookline/config.json`. */
export function configPath(env: Record<string, string | undefined>): string {
  if (env.HOOKLINE_CONFIG) return env.HOOKLINE_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'hookline', 'config.json');
}

export class ConfigError extends Error {}

export function readConfig(file: string): StoredConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as StoredConfig;
  } catch (err) {
    throw new ConfigError(`${file} is not a JSON object (${(err as Error).message}); fix or delete it`);
  }
}

/** Writes the file readable by its owner only: it holds a bearer token. */
export function writeConfig(file: string, config: StoredConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; an older, looser one is tightened too.
  chmodSync(file, 0o600);
}

export function removeConfig(file: string): void {
  rmSync(file, { force: true });
}

/** Where the API is and who speaks: a flag first, then the environment, then the config file. */
export interface Connection {
  url: string;
  token?: string;
}

export function resolveConnection(
  flags: { url?: string },
  env: Record<string, string | undefined>,
  config: StoredConfig,
): Connection {
  const url = (flags.url ?? env.HOOKLINE_URL ?? config.url ?? DEFAULT_URL).replace(/\/+$/, '');
  // A stored token goes only to the URL it was issued by, so `--url` elsewhere never leaks it.
  const token = env.HOOKLINE_TOKEN ?? (config.url === undefined || config.url === url ? config.token : undefined);
  return { url, ...(token !== undefined && { token }) };
}
