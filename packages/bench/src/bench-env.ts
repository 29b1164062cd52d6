/** A BENCH_* variable with a value the bench cannot run with. */
export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

/** The variable's value, or undefined when unset or empty. */
export const valueOf = (env: Env, name: string): string | undefined => (env[name] ? env[name] : undefined);

/** A positive number (whole when `integer`), or undefined when the variable is unset. */
export function positive(env: Env, name: string, integer: boolean): number | undefined {
  const raw = valueOf(env, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new ConfigError(`${name} must be a positive ${integer ? 'whole number' : 'number'} (got ${raw})`);
  return n;
}

/** A comma-separated choice among `allowed`; all of them when the variable is unset. */
export function namesOf<Name extends string>(env: Env, name: string, allowed: readonly Name[]): Set<Name> {
  const raw = valueOf(env, name) ?? allowed.join(',');
  const names = raw.split(',');
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length > 0) throw new ConfigError(`${name} must list some of ${allowed.join(', ')} (got ${raw})`);
  return new Set(names as Name[]);
}
