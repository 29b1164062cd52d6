import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A program that exits this many times within the window is in a crash loop: the crash-loop
 * listener stops it, and `status` shows it CRASH-LOOP. supervisord alone never gives up on a
 * program that dies after START_SECS, so a service crashing every 11 s was restarted for ever.
 */
export interface CrashLoopLimits {
  exits: number;
  windowSeconds: number;
}

export const DEFAULT_CRASH_LOOP_LIMITS: CrashLoopLimits = { exits: 5, windowSeconds: 600 };

/** What the listener records in the state directory, per program: its exits in the window, and when it stopped it. */
export interface ExitRecord {
  exits: number[];
  stoppedAt?: number;
}
export type ExitRecords = Record<string, ExitRecord>;

export function exitsFile(state: string): string {
  return join(state, 'exits.json');
}

/** HOOKLINE_CRASH_LOOP_EXITS and HOOKLINE_CRASH_LOOP_WINDOW_S, checked; throws naming the bad one. */
export function crashLoopLimits(env: NodeJS.ProcessEnv): CrashLoopLimits {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
    return value;
  };
  return {
    exits: read('HOOKLINE_CRASH_LOOP_EXITS', DEFAULT_CRASH_LOOP_LIMITS.exits, 2, 1_000),
    windowSeconds: read('HOOKLINE_CRASH_LOOP_WINDOW_S', DEFAULT_CRASH_LOOP_LIMITS.windowSeconds, 10, 86_400),
  };
}

export function readExits(state: string): ExitRecords {
  const file = exitsFile(state);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ExitRecords;
  } catch {
    // Half written by a listener killed mid-write is impossible (rename); anything else is not ours.
    return {};
  }
}

export function writeExits(state: string, records: ExitRecords): void {
  const file = exitsFile(state);
  // Whole or not at all: `status` may read it at any moment.
  writeFileSync(`${file}.tmp`, JSON.stringify(records));
  renameSync(`${file}.tmp`, file);
}

/** Forgets the programs' exits: `restart` gives a stopped program a fresh window. */
export function clearExits(state: string, names: readonly string[]): void {
  const records = readExits(state);
  for (const name of names) delete records[name];
  writeExits(state, records);
}

/** Exits within the window before `now`. */
export function recentExits(record: ExitRecord | undefined, limits: CrashLoopLimits, now: number): number[] {
  return (record?.exits ?? []).filter((at) => at > now - limits.windowSeconds * 1000);
}

/**
 * Notes an exit of `name` at `now`; answers whether that makes a crash loop (the listener then
 * stops the program and marks it stopped).
 */
export function noteExit(records: ExitRecords, name: string, now: number, limits: CrashLoopLimits): boolean {
  const exits = [...recentExits(records[name], limits, now), now];
  const loop = exits.length >= limits.exits;
  records[name] = { exits, ...(loop && { stoppedAt: now }) };
  return loop;
}

/** One event of supervisord's eventlistener protocol: its header's tokens and its payload's. */
export function parseTokens(line: string): Record<string, string> {
  return Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .filter((token) => token.includes(':'))
      .map((token) => [token.slice(0, token.indexOf(':')), token.slice(token.indexOf(':') + 1)]),
  );
}
