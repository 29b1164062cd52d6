/**
 * `pnpm bench`: every benchmark in turn, each a separate process so none warms another up. Each
 * leaves a dated result file in docs/benchmarks/: the public-path bench writes its own (tables and
 * targets); for the others this keeps what they printed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, loadLine, ROOT, writeResultFile } from './result-file';

interface Bench {
  name: string;
  script: string;
  /** The result file's name after the date; none where the bench writes its own. */
  slug?: string;
  /** BENCH_* knobs this entry runs the script with. */
  env?: Record<string, string>;
}

const BENCHES: Bench[] = [
  { name: 'matching engine (one core)', script: 'packages/matching/dist/bench/matcher.bench.js', slug: 'matcher' },
  { name: 'ingest → DELIVERIES pipeline', script: 'packages/bench/dist/pipeline.bench.js', slug: 'pipeline' },
  { name: 'dispatcher deliveries', script: 'packages/bench/dist/dispatch.bench.js', slug: 'dispatcher' },
  {
    name: 'end to end against the raw limit (issue 8)',
    script: 'packages/bench/dist/end-to-end.bench.js',
    slug: 'end-to-end',
  },
  {
    // Issue 27: the same bench with every webhook created through the API, so every one keeps stats.
    name: 'end to end, every webhook through the API',
    script: 'packages/bench/dist/end-to-end.bench.js',
    slug: 'end-to-end-all-rest',
    env: { BENCH_REST_WEBHOOKS: '10000', BENCH_RUNS: 'max1,paced1,max10,paced10' },
  },
  { name: 'the public path through the front door (issue 27)', script: 'packages/bench/dist/public-path.bench.js' },
];

/** Runs the script, its output shown as it comes and kept; resolves with its exit status and output. */
function runBench(
  script: string,
  env: Record<string, string> = {},
): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  const timeout = setTimeout(() => child.kill('SIGTERM'), 30 * 60_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timeout);
      resolve({ status, output });
    }),
  );
}

async function main(): Promise<void> {
  let failed = 0;
  for (const bench of BENCHES) {
    const script = join(ROOT, bench.script);
    if (!existsSync(script)) {
      process.stdout.write(`\n=== ${bench.name}: ${bench.script} is not built, skipped ===\n`);
      continue;
    }
    process.stdout.write(`\n=== ${bench.name} (${bench.script}) ===\n`);
    const startedAt = new Date();
    const loadBefore = loadLine();
    const result = await runBench(script, bench.env);
    if (result.status !== 0) {
      failed++;
      process.stdout.write(`${bench.name} failed (${result.status})\n`);
      continue;
    }
    if (bench.slug) {
      const file = writeResultFile({
        slug: bench.slug,
        title: bench.name,
        startedAt,
        command: commandLine(script, bench.env),
        loadBefore,
        body: ['What it printed:', '', '```', result.output.trim(), '```'].join('\n'),
      });
      process.stdout.write(`result file: ${file}\n`);
    }
  }
  process.exit(failed > 0 ? 1 : 0);
}

void main();
