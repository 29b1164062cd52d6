/**
 * supervisord event listener (`[eventlistener:crash-loop]`, events PROCESS_STATE_EXITED): counts
 * each program's exits in a window and stops a program that exits too often (see crash-loop.ts).
 * Arguments: <state dir> <exits> <window seconds>. Speaks supervisord's listener protocol on
 * stdin/stdout (READY, header line, payload, RESULT); logs to stderr.
 */
import { spawn } from 'node:child_process';
import { noteExit, parseTokens, readExits, writeExits, type CrashLoopLimits } from './crash-loop';
import { supervisorExecutables, supervisorPaths } from './supervisord';

const [state, exits, windowSeconds] = process.argv.slice(2);
if (!state || !exits || !windowSeconds) {
  process.stderr.write('usage: crash-loop-listener <state dir> <exits> <window seconds>\n');
  process.exit(64);
}
const limits: CrashLoopLimits = { exits: Number(exits), windowSeconds: Number(windowSeconds) };
const LISTENER = 'crash-loop';

const log = (line: string): boolean => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/** Not awaited: supervisord answers supervisorctl only once this listener has answered the event. */
function stop(name: string): void {
  const child = spawn(supervisorExecutables().supervisorctl, ['-c', supervisorPaths(state!).config, 'stop', name], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
}

function handle(header: Record<string, string>, payload: Record<string, string>): void {
  const name = payload.processname;
  if (header.eventname !== 'PROCESS_STATE_EXITED' || !name || name === LISTENER) return;
  const records = readExits(state!);
  const loop = noteExit(records, name, Date.now(), limits);
  writeExits(state!, records);
  log(
    `${name} exited (pid ${payload.pid}, expected ${payload.expected}); ${records[name]!.exits.length} in ${limits.windowSeconds} s`,
  );
  if (loop) {
    log(`${name} is in a crash loop (${limits.exits} exits within ${limits.windowSeconds} s): stopping it`);
    stop(name);
  }
}

let buffered = Buffer.alloc(0);
process.stdout.write('READY\n');
process.stdin.on('data', (chunk: Buffer) => {
  buffered = Buffer.concat([buffered, chunk]);
  for (;;) {
    const end = buffered.indexOf('\n');
    if (end < 0) return;
    const header = parseTokens(buffered.subarray(0, end).toString());
    const length = Number(header.len ?? 0);
    if (buffered.length < end + 1 + length) return;
    const payload = parseTokens(buffered.subarray(end + 1, end + 1 + length).toString());
    buffered = buffered.subarray(end + 1 + length);
    try {
      handle(header, payload);
    } catch (err) {
      // A failed count loses one exit, not the listener: supervisord would hold events meanwhile.
      log(`could not record an exit: ${String(err)}`);
    }
    process.stdout.write('RESULT 2\nOKREADY\n');
  }
});
process.stdin.on('end', () => process.exit(0));
