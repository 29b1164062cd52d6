import { join } from 'node:path';
import type { ProcessStack } from '@hookline/testing';
import { log } from './stats';

/**
 * Stops the stack on Ctrl-C or a timeout's SIGTERM, then exits: its services run in process
 * groups of their own and would outlive the bench. A second signal (`timeout` forwards its own)
 * must not cut the stopping short.
 */
export function stopStackOnSignal(stack: () => ProcessStack | undefined): void {
  let stopping = false;
  const interrupted = () => {
    if (stopping) return;
    stopping = true;
    void (stack()?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
}

/** The last lines each service printed, after a failed run. */
export function logServiceOutput(stack: ProcessStack | undefined): void {
  for (const name of stack?.serviceNames() ?? []) {
    const output = stack!.output(name).trim();
    if (output) log(`--- ${name} output ---\n${output.split('\n').slice(-30).join('\n')}`);
  }
}

/** BENCH_PROFILE's services (e.g. `dispatcher,matcher`) and the Node options they run with. */
export interface Profiling {
  services: string[];
  nodeOptions: string;
}

/**
 * BENCH_PROFILE's services write V8 CPU profiles to BENCH_PROFILE_DIR (./bench-profiles), or run
 * with BENCH_NODE_OPTIONS instead (e.g. `--require ./gc-watch.js`).
 */
export function readProfiling(env: Record<string, string | undefined> = process.env): Profiling {
  const profileDir = env.BENCH_PROFILE_DIR ?? join(process.cwd(), 'bench-profiles');
  return {
    services: (env.BENCH_PROFILE ?? '').split(',').filter(Boolean),
    nodeOptions: env.BENCH_NODE_OPTIONS ?? `--cpu-prof --cpu-prof-dir=${profileDir}`,
  };
}

/** The services' environment with the profiled services' NODE_OPTIONS added. */
export function withProfiles(
  serviceEnv: Partial<Record<string, Record<string, string>>>,
  profiling: Profiling,
): Partial<Record<string, Record<string, string>>> {
  return {
    ...serviceEnv,
    ...Object.fromEntries(
      profiling.services.map((name) => [name, { ...serviceEnv[name], NODE_OPTIONS: profiling.nodeOptions }]),
    ),
  };
}
