/**
 * Every bench's dated result file under docs/benchmarks/ (BENCH_RESULT_DIR elsewhere): when, on
 * which commit and machine, with which command, and what it printed, so a later run has something
 * to be compared with. docs/benchmarks/README.md keeps the method and the history.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { basename, join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The commit, and whether the tree had changes beside it (result files aside). */
export function commitLine(): string {
  const commit = git(['log', '-1', '--format=%h %s']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/benchmarks'])
    ? ' (with uncommitted changes)'
    : '';
  return `\`${commit}\`${dirty}`;
}

export function machineLine(): string {
  const cores = cpus();
  return (
    `${cores.length} × ${cores[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Linux ${release()}, Node ${process.version}`
  );
}

/** `BENCH_X=1 node packages/bench/dist/<script>`: the command as run, with the knobs that were set. */
export function commandLine(script: string, env: Record<string, string> = {}): string {
  const knobs = Object.entries({ ...process.env, ...env })
    .filter(([key]) => key.startsWith('BENCH_'))
    .map(([key, value]) => `${key}=${value}`);
  return [...knobs, 'node', relative(ROOT, script) || basename(script)].join(' ');
}

/** The 1, 5 and 15 minute load averages: how busy the machine was besides the bench. */
export const loadLine = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

export interface ResultFile {
  /** The file is `<date>-<slug>.md`. */
  slug: string;
  title: string;
  startedAt: Date;
  command: string;
  /** `loadLine()` when the bench started. */
  loadBefore: string;
  /** Markdown: tables, targets, notes. */
  body: string;
}

/** Writes the result file and returns its path. */
export function writeResultFile(result: ResultFile): string {
  const dir = process.env.BENCH_RESULT_DIR ?? join(ROOT, 'docs', 'benchmarks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.startedAt.toISOString().slice(0, 10)}-${result.slug}.md`);
  const finishedAt = new Date();
  const time = (d: Date) => d.toISOString().slice(11, 16);
  writeFileSync(
    file,
    [
      `# ${result.title}: ${result.startedAt.toISOString().slice(0, 10)}`,
      '',
      `- When: ${time(result.startedAt)}-${time(finishedAt)} UTC`,
      `- Commit: ${commitLine()}`,
      `- Machine: ${machineLine()}`,
      `- Load average (1, 5, 15 min): ${result.loadBefore} before, ${loadLine()} after`,
      `- Command: \`${result.command}\``,
      '',
      result.body.trim(),
      '',
    ].join('\n'),
  );
  return file;
}
