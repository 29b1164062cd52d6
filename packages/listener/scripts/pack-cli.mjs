#!/usr/bin/env node
// `pnpm --filter @hookline/listener pack-cli [dir]`: the `hookline` CLI as one npm tarball,
// hookline-cli-<version>.tgz, that `npm i -g` installs without the registry: esbuild bundles the CLI
// with the workspace packages (@hookline/client, @hookline/contracts) and its dependencies into one
// file, and the tarball's package.json has no dependencies left to fetch.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const here = resolve(import.meta.dirname, '..');
const destination = resolve(process.argv[2] ?? here);
const manifest = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
mkdirSync(destination, { recursive: true });
const stage = mkdtempSync(join(tmpdir(), 'hookline-cli-'));

try {
  await build({
    entryPoints: [join(here, 'src', 'cli.ts')],
    outfile: join(stage, 'hookline.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // ws loads these optional native speed-ups when they are installed and works without them.
    external: ['bufferutil', 'utf-8-validate'],
    // class-validator's decorators read the class names the minifier would mangle.
    keepNames: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  chmodSync(join(stage, 'hookline.js'), 0o755);
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify(
      {
        name: 'hookline-cli',
        version: manifest.version,
        description: manifest.description,
        bin: { hookline: 'hookline.js' },
        engines: { node: '>=20' },
        files: ['hookline.js', 'hookline.js.LEGAL.txt'],
      },
      null,
      2,
    )}\n`,
  );
  const packed = execFileSync('npm', ['pack', '--pack-destination', destination, '--loglevel=error'], {
    cwd: stage,
    encoding: 'utf8',
  }).trim();
  process.stdout.write(`${join(destination, packed)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
