import { expect as expectPage } from './expect-page';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { E2eStack } from '../e2e/e2e-stack';
import { accessibilityProblems, assertConsoleBuilt, collectErrors, launchChromium } from './browser';

/**
 * Tenant portals in a real browser against the real stack: a link made by an admin shows one
 * tenant's webhooks under its name, nothing of another tenant's, no writes when read-only, and
 * nothing at all once revoked.
 */
jest.setTimeout(120_000);

describe('tenant portals in a browser', () => {
  let e2e: E2eStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let keyA: string;
  let webhookA: string;
  let webhookB: string;

  beforeAll(async () => {
    assertConsoleBuilt();
    [e2e, browser] = await Promise.all([E2eStack.start(), launchChromium()]);
    keyA = await e2e.admin.createKey(7201);
    const keyB = await e2e.admin.createKey(7202);
    const make = async (key: string, name: string) =>
      (
        await e2e.public(key).request<{ ObjectUUID: string }>('POST', '/api/v2/webhook', {
          AppName: 'portal',
          AppUrl: 'http://portal',
          Name: name,
          TargetUrl: e2e.receiver.url('/portal'),
          Events: ['Created'],
        })
      ).body.ObjectUUID;
    webhookA = await make(keyA, 'Alpha orders');
    webhookB = await make(keyB, 'Bravo invoices');
  }, 180_000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // 401: the revoked link; 404: another tenant's webhook asked for by id.
    errors = collectErrors(page, [401, 404]);
  });

  afterEach(async () => {
    await context?.close();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  /** Signs in as tenant A's admin and makes a link on the portal links page; answers its URL. */
  async function makeLink(scope: 'Read only' | 'Manage webhooks'): Promise<string> {
    await page.goto(`${e2e.stack.publicUrl}/portal-links`);
    await page.getByRole('textbox', { name: 'API key' }).fill(keyA);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectPage(page.getByRole('heading', { name: 'Portal links' })).toBeVisible();
    await page.getByRole('textbox', { name: 'Tenant name' }).fill('Acme Orders');
    await page.getByRole('textbox', { name: 'Accent colour' }).fill('#0b7285');
    await page.getByText(scope, { exact: true }).click();
    await page.getByRole('button', { name: 'Make link' }).click();
    await expectPage(page.getByTestId('secret')).toHaveText(/\/portal#token=hlp_/);
    return (await page.getByTestId('secret').textContent())!.trim();
  }

  it("a read-only link shows only its tenant's webhooks under its name, and writes nothing", async () => {
    const url = await makeLink('Read only');
    const portal = await context.newPage();
    const portalErrors = collectErrors(portal, [404]);
    await portal.goto(url);
    await expectPage(portal.getByTestId('portal-name')).toHaveText('Acme Orders');
    // The token leaves the address bar once read.
    expect(portal.url()).toBe(`${e2e.stack.publicUrl}/portal/webhooks`);
    const table = portal.getByRole('table', { name: 'Webhooks' });
    await expectPage(table.getByRole('link')).toHaveText('Alpha orders');
    await expectPage(portal.getByText('Bravo invoices')).toHaveCount(0);
    await expectPage(portal.getByRole('link', { name: 'New webhook' })).toHaveCount(0);
    await expectPage(portal.getByRole('link', { name: 'Overview' })).toHaveCount(0);
    await expectPage(portal.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    expect(await accessibilityProblems(portal)).toEqual([]);

    await table.getByRole('link', { name: 'Alpha orders' }).click();
    await expectPage(portal.getByRole('heading', { name: 'Alpha orders' })).toBeVisible();
    await expectPage(portal.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await expectPage(portal.getByRole('button', { name: 'Delete' })).toHaveCount(0);

    // Another tenant's webhook by its id: not found, as if it did not exist.
    await portal.goto(`${e2e.stack.publicUrl}/portal/webhooks/${webhookB}`);
    await expectPage(portal.getByText(/not found/i)).toBeVisible();

    // The server refuses a write through the link whatever the page shows.
    const token = new URL(url).hash.replace('#token=', '');
    const write = await e2e.public(token).request('PATCH', `/api/v2/webhook/${webhookA}`, { Disabled: true });
    expect(write.status).toBe(403);
    expect(portalErrors).toEqual([]);
  });

  it('a revoked link shows that it is no longer valid', async () => {
    const url = await makeLink('Manage webhooks');
    const portal = await context.newPage();
    const portalErrors = collectErrors(portal, [401]);
    await portal.goto(url);
    await expectPage(portal.getByTestId('portal-name')).toHaveText('Acme Orders');
    await expectPage(portal.getByRole('link', { name: 'New webhook' })).toBeVisible();

    const links = page.getByRole('table', { name: 'Portal links' });
    await links.getByRole('button', { name: 'Revoke the link for Acme Orders' }).first().click();
    await page.getByRole('button', { name: 'Revoke link' }).click();
    await expectPage(page.getByRole('dialog')).toHaveCount(0);

    await portal.reload();
    await expectPage(portal.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();
    expect(portalErrors).toEqual([]);
  });

  it('is usable at 390 px wide: the portal and the links page scroll their tables, never the page', async () => {
    const url = await makeLink('Manage webhooks');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const small = await phone.newPage();
    const phoneErrors = collectErrors(small);
    const pageWidth = () => small.evaluate(() => document.documentElement.scrollWidth);
    try {
      await small.goto(url);
      const table = small.getByRole('table', { name: 'Webhooks' });
      await expectPage(table.getByRole('link', { name: 'Alpha orders' })).toBeVisible();
      expect(await pageWidth()).toBeLessThanOrEqual(390);
      await table.getByRole('link', { name: 'Alpha orders' }).click();
      await expectPage(small.getByRole('table', { name: 'Attempts' })).toBeVisible();
      expect(await pageWidth()).toBeLessThanOrEqual(390);

      await small.goto(`${e2e.stack.publicUrl}/portal-links`);
      await small.getByRole('textbox', { name: 'API key' }).fill(keyA);
      await small.getByRole('button', { name: 'Sign in' }).click();
      await expectPage(small.getByRole('table', { name: 'Portal links' })).toContainText('Acme Orders');
      expect(await pageWidth()).toBeLessThanOrEqual(390);
      expect(phoneErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
