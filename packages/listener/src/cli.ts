#!/usr/bin/env node
import { once } from 'node:events';
import { text } from 'node:stream/consumers';
import { runCli } from './run';
import { askSecret } from './terminal';

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: (chunk) => process.stdout.write(chunk),
  err: (chunk) => process.stderr.write(chunk),
  interrupted: Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(() => undefined),
  readStdin: () => text(process.stdin),
  ...(process.stdin.isTTY && { askSecret }),
}).then((code) => process.exit(code));
