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
