import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The README and docs/ are what a newcomer reads first: every relative link must lead somewhere,
 * every repository path they name must exist, and CI must run the test command the README gives.
 */

const ROOT = join(__dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Every page: README.md and docs/ with its decision records and benchmark results. */
const PAGES = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
/** Pages that describe the code as it is today (records of the past may name what has moved). */
const CURRENT_PAGES = [
  join(ROOT, 'README.md'),
  ...markdownFiles(join(ROOT, 'docs')).filter((p) => dirname(p) === join(ROOT, 'docs')),
];

/** The page without fenced code blocks, which hold shell and JSON rather than links. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const headings = prose(readFileSync(path, 'utf8')).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((h) => slug(h.replace(/^#+ /, ''))));
}

function relativeLinks(path: string): string[] {
  const text = prose(readFileSync(path, 'utf8')).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README and docs', () => {
  it.each(PAGES.map((p) => [relative(ROOT, p), p]))('%s: every relative link resolves', (_name, page) => {
    const broken = relativeLinks(page).filter((link) => {
      const [file, anchor] = link.split('#');
      const target = file === '' ? page : join(dirname(page), decodeURIComponent(file));
      if (!existsSync(target)) return true;
      return anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it.each(CURRENT_PAGES.map((p) => [relative(ROOT, p), p]))(
    '%s: every repository path it names exists',
    (_name, page) => {
      const paths = [...prose(readFileSync(page, 'utf8')).matchAll(/`((?:apps|packages|docs|infra|test)\/[\w./-]+)`/g)]
        .map((m) => m[1])
        .filter((path) => !existsSync(join(ROOT, path)));
      expect(paths).toEqual([]);
    },
  );

  it("CI runs the test command the README's quickstart gives", () => {
    const ciCommand = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !/^(set|cd) /.test(line))
      .at(-1);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickstart = readme.slice(
      readme.indexOf('## Quickstart'),
      readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 1),
    );
    const commands = (quickstart.match(/^```sh\n([\s\S]*?)^```/m)?.[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim());

    expect(ciCommand).toBe('./hookline test');
    expect(commands).toContain(ciCommand);
    expect(commands).toContain('./hookline up');
  });
});
