/** `pnpm bench`: every benchmark in turn, each a separate process so none warms another up. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BENCHES = [
  { name: 'matching engine (one core)', script: 'packages/matching/dist/bench/matcher.bench.js' },
  { name: 'ingest → DELIVERIES pipeline', script: 'packages/bench/dist/pipeline.bench.js' },
  { name: 'dispatcher deliveries', script: 'apps/dispatcher/dist/bench/dispatch.bench.js' },
  { name: 'end to end against the raw limit (issue 8)', script: 'packages/bench/dist/end-to-end.bench.js' },
];

let failed = 0;
for (const bench of BENCHES) {
  const script = join(ROOT, bench.script);
  if (!existsSync(script)) {
    process.stdout.write(`\n=== ${bench.name}: ${bench.script} is not built, skipped ===\n`);
    continue;
  }
  process.stdout.write(`\n=== ${bench.name} (${bench.script}) ===\n`);
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit', timeout: 20 * 60_000 });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${bench.name} failed (${result.status ?? result.signal})\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
