import type { Locator } from 'playwright-core';

const DEFAULT_TIMEOUT_MS = 10_000;

/** Retries `check` until it passes or the time is up, then fails with what it last saw. */
async function eventually(
  what: string,
  timeoutMs: number,
  check: () => Promise<{ pass: boolean; actual: unknown }>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result.pass) return;
      actual = result.actual;
    } catch (err) {
      actual = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`expected ${what} within ${timeoutMs} ms; last saw ${JSON.stringify(actual)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Options {
  timeout?: number;
}

/**
 * Web-first assertions on a locator, retried until the page settles (playwright-core has the
 * browser, not @playwright/test's `expect`; jest runs these tests).
 */
export function expect(locator: Locator) {
  const matches = (text: string | null, expected: string | RegExp) =>
    typeof expected === 'string' ? text?.trim() === expected : expected.test(text ?? '');
  return {
    toBeVisible: ({ timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to be visible`, timeout, async () => ({
        pass: await locator.isVisible(),
        actual: 'hidden or absent',
      })),
    toHaveText: (expected: string | RegExp, { timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to have text ${String(expected)}`, timeout, async () => {
        const text = await locator.textContent({ timeout: 1_000 });
        return { pass: matches(text, expected), actual: text };
      }),
    toContainText: (expected: string, { timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to contain ${expected}`, timeout, async () => {
        const text = await locator.textContent({ timeout: 1_000 });
        return { pass: text?.includes(expected) ?? false, actual: text };
      }),
    toHaveCount: (expected: number, { timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to match ${expected} elements`, timeout, async () => {
        const count = await locator.count();
        return { pass: count === expected, actual: count };
      }),
    toHaveValue: (expected: string, { timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to have the value ${expected}`, timeout, async () => {
        const value = await locator.inputValue({ timeout: 1_000 });
        return { pass: value === expected, actual: value };
      }),
    toHaveAttribute: (name: string, expected: string, { timeout = DEFAULT_TIMEOUT_MS }: Options = {}) =>
      eventually(`${locator} to have ${name}="${expected}"`, timeout, async () => {
        const value = await locator.getAttribute(name, { timeout: 1_000 });
        return { pass: value === expected, actual: value };
      }),
  };
}
