#!/usr/bin/env node
import { once } from 'node:events';
import { runCli } from './run';

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interrupted: Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(() => undefined),
}).then((code) => process.exit(code));
