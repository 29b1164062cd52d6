import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '@hookline/testing';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** The front door serves its placeholder page when the console is not built: say so, not a missing button. */
export function assertConsoleBuilt(): void {
  const index = join(__dirname, '..', '..', 'apps', 'console', 'dist', 'index.html');
  if (!existsSync(index)) throw new Error(`${index} is missing: build the console first (pnpm build)`);
}

/**
 * Debian's chromium (the Playwright runners' own browser downloads are not reachable here);
 * CHROMIUM_PATH overrides. `./hookline setup` installs it.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? findExecutable('chromium') ?? findExecutable('chromium-browser');
  if (!executablePath)
    throw new Error('chromium is not installed: run `./hookline setup` or `apt-get install -y chromium`');
  // No sandbox: CI and these machines run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * Errors the page logs or throws. Chromium itself logs every answer of 400 and above as "Failed to
 * load resource"; those the test provokes on purpose (a refused key, a field error) are expected.
 */
export function collectErrors(page: Page, expectedStatuses: number[] = []): string[] {
  const errors: string[] = [];
  const expected = (message: ConsoleMessage) =>
    expectedStatuses.some((status) =>
      message.text().includes(`Failed to load resource: the server responded with a status of ${status}`),
    );
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected(message)) errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Accessibility problems axe-core finds on the page as it is now (labels, roles, names, contrast),
 * those of serious or critical impact, as `rule: help (elements)` lines.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
