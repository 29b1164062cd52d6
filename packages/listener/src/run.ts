import { parseListenArgs, USAGE } from './args';
import { printTo, routeDeliveries } from './deliveries';
import { formatEvent, Listener } from './listener';
import { runProgram, type ProgramIo } from './program';

/** `out` takes answers, delivery lines and printed payloads; `err` connection status and errors. */
export interface CliIo extends ProgramIo {
  argv: string[];
  /** Resolves when the user asks to stop (Ctrl-C). */
  interrupted: Promise<void>;
}

/** The whole CLI with its I/O passed in, so tests drive exactly what `hookline` runs; resolves with the exit code. */
export async function runCli(io: CliIo): Promise<number> {
  return runProgram(io.argv, io, (argv) => runListen(argv, io));
}

/** `hookline listen`, as it was before the other commands: its own parser, help and exit codes. */
async function runListen(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseListenArgs(argv, io.env);
  switch (parsed.kind) {
    case 'help':
      io.out(USAGE);
      return 0;
    case 'error':
      io.err(`hookline: ${parsed.message}\n\n${USAGE}`);
      return 64;
    case 'listen':
      break;
  }
  const { command } = parsed;
  const handler = command.print
    ? printTo(io.out)
    : routeDeliveries({
        ...(command.forward !== undefined && { forward: command.forward }),
        allowHosts: command.allowHosts,
        timeoutMs: command.forwardTimeoutMs,
      });
  const listener = new Listener(command, handler, (event) =>
    (event.kind === 'delivery' ? io.out : io.err)(`${formatEvent(event)}\n`),
  );
  listener.start();
  const exit = await Promise.race([
    listener.exited,
    io.interrupted.then(() => listener.stop()).then(() => listener.exited),
  ]);
  return exit.kind === 'fatal' ? 2 : 0;
}
