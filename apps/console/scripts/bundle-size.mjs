// Prints the JavaScript a first visit loads (the scripts index.html names, gzip-compressed) and
// fails the build above the budget, so the console stays quick to open.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 300 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [
  ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g),
].map((m) => m[1]);
if (scripts.length === 0) throw new Error('index.html names no script: is this the console build?');
let total = 0;
for (const file of scripts) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`  ${file}: ${(size / 1024).toFixed(1)} KB gzip`);
}
console.log(
  `console first load: ${(total / 1024).toFixed(1)} KB of compressed JavaScript (budget ${BUDGET_BYTES / 1024} KB)`,
);
if (total > BUDGET_BYTES) {
  console.error('over budget: split a route out with React.lazy or drop a dependency');
  process.exit(1);
}
