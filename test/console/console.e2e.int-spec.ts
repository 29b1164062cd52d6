import { expect as expectPage } from './expect-page';
import { Receiver, waitFor } from '@hookline/testing';
import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { E2eStack } from '../e2e/e2e-stack';
import { accessibilityProblems, assertConsoleBuilt, collectErrors, launchChromium } from './browser';

/**
 * The console in a real browser, served by the front door of the real stack: what a user sees
 * when signing in, creating a webhook, and watching and replaying its deliveries.
 */
// A flow waits on deliveries through the whole stack, which a busy CI machine slows down.
jest.setTimeout(120_000);

describe('the console in a browser', () => {
  let e2e: E2eStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let key: string;

  beforeAll(async () => {
    assertConsoleBuilt();
    [e2e, browser] = await Promise.all([E2eStack.start(), launchChromium()]);
    key = await e2e.admin.createKey(7001);
  }, 180_000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // 400: the field error the API gives on purpose; 401: the refused and the expired key.
    errors = collectErrors(page, [400, 401]);
  });

  afterEach(async () => {
    await context?.close();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  /** How many webhooks the matcher's index holds, so a test waits for exactly one more. */
  async function indexTotal(): Promise<number> {
    return (await e2e.client('matcher', e2e.stack.adminKey).request<{ total: number }>('GET', '/api/v2/index')).body
      .total;
  }

  async function signIn(withKey = key): Promise<void> {
    await page.getByRole('textbox', { name: 'API key' }).fill(withKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in on the page asked for, shows tenant and role, and returns there after the session ends', async () => {
    await page.goto(`${e2e.stack.publicUrl}/webhooks?sort=Name`);
    await signIn('hk_not_a_key');
    await expectPage(page.getByText('This key was refused')).toBeVisible();

    await signIn();
    await expectPage(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
    await expectPage(page.getByTestId('tenant')).toHaveText('Tenant 7001');
    await expectPage(page.getByTestId('role')).toHaveText('admin');
    await expectPage(page.getByRole('link', { name: 'Operations' })).toBeVisible();

    // The session's key stops working (as an expired one does): the next request goes back to sign-in.
    await page.evaluate(() => sessionStorage.setItem('hookline.credential', 'hk_expired'));
    await page.reload();
    await expectPage(page.getByText('Your session has ended')).toBeVisible();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/webhooks?sort=Name');
    await signIn();
    await expectPage(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  });

  it('signs in with the admin key the stack prints, and makes a key for another tenant with it', async () => {
    await page.goto(e2e.stack.publicUrl);
    await signIn(e2e.stack.adminKey);
    await expectPage(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    await expectPage(page.getByTestId('tenant')).toHaveText(/^Tenant \d+$/);
    await expectPage(page.getByTestId('role')).toHaveText('admin');

    // Only the operator's key names the tenant of a new key (and of a new user).
    await page.getByRole('link', { name: 'Operations' }).click();
    const form = page.getByRole('form', { name: 'Add an API key' });
    await form.getByRole('textbox', { name: /^Name/ }).fill('tenant 7321 ingest');
    await form.getByRole('textbox', { name: /^Tenant/ }).fill('7321');
    await form.getByRole('button', { name: 'Add key' }).click();
    await expectPage(page.getByTestId('secret')).toHaveText(/^hk_\S{16,}$/);
    const secret = (await page.getByTestId('secret').textContent())!.trim();
    const row = page
      .getByRole('table', { name: 'API keys' })
      .getByRole('row')
      .filter({ hasText: 'tenant 7321 ingest' });
    await expectPage(row).toContainText('7321');
    expect((await e2e.public(secret).request('GET', '/api/v2/apikey/current')).body).toMatchObject({
      SubscriptionID: 7321,
      Roles: ['integration'],
      Operator: false,
    });
    await page.getByRole('link', { name: 'Users' }).click();
    await expectPage(
      page.getByRole('form', { name: 'Add a user' }).getByRole('textbox', { name: /^Tenant/ }),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectPage(page.getByRole('heading', { name: 'Sign in to Hookline' })).toBeVisible();
  });

  it('signs in with email and password, and says so when they are wrong', async () => {
    const created = await e2e.admin.request('POST', '/api/v2/users', {
      Email: 'operator@example.com',
      Password: 'correct horse battery staple',
      Roles: ['read-only'],
      SubscriptionID: 7001,
    });
    expect(created.status).toBe(201);
    await page.goto(`${e2e.stack.publicUrl}/webhooks`);
    await page.getByRole('tab', { name: 'Email and password' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('operator@example.com');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectPage(page.getByRole('alert')).toHaveText('Wrong email or password');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectPage(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
    await expectPage(page.getByTestId('tenant')).toHaveText('Tenant 7001');
    await expectPage(page.getByTestId('role')).toHaveText('read-only');
  });

  it('hides admin pages from a read-only key', async () => {
    const reader = await e2e.admin.createKey(7001, ['read-only']);
    await page.goto(e2e.stack.publicUrl);
    await signIn(reader);
    await expectPage(page.getByTestId('role')).toHaveText('read-only');
    await expectPage(page.getByRole('link', { name: 'Webhooks' })).toBeVisible();
    await expectPage(page.getByRole('link', { name: 'Operations' })).toHaveCount(0);
    await expectPage(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
    await expectPage(page.getByRole('link', { name: 'Send a change' })).toHaveCount(0);
  });

  it('creates a webhook after fixing the field the API refused, lists it, shows the attempt of a change, tests, disables, rotates and edits it', async () => {
    const indexed = await indexTotal();
    await page.goto(`${e2e.stack.publicUrl}/webhooks`);
    await signIn();
    await page.getByRole('link', { name: 'New webhook' }).click();
    await page.getByRole('textbox', { name: /^Name/ }).fill('Console hook');
    await page.getByLabel('Target URL').fill('ftp://receiver.example/hook');
    await page.getByRole('button', { name: 'Add expression' }).click();
    await page.getByLabel('Attribute 1').fill('Priority');
    await page.getByLabel('Value 1').fill('High');
    await page.getByRole('button', { name: 'Create webhook' }).click();

    const target = page.getByLabel('Target URL');
    await expectPage(target).toHaveAttribute('aria-invalid', 'true');
    await expectPage(page.getByText(/TargetUrl must be/)).toBeVisible();

    await target.fill(e2e.receiver.url('/console'));
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await expectPage(page.getByRole('heading', { name: 'Webhook “Console hook” created' })).toBeVisible();
    await expectPage(page.getByTestId('secret')).toHaveText(/\S{16,}/);

    await page.getByRole('link', { name: 'Back to webhooks' }).click();
    const table = page.getByRole('table', { name: 'Webhooks' });
    await expectPage(table.getByRole('link', { name: 'Console hook' })).toBeVisible();

    await e2e.indexed(indexed + 1);
    // The change goes in through the console too, as a new user without curl sends one.
    await page.getByRole('link', { name: 'Send a change' }).click();
    const change = page.getByRole('form', { name: 'Send a change' });
    await change.getByRole('textbox', { name: /^Object id/ }).fill('c-1');
    await change.getByRole('textbox', { name: 'Record after' }).fill('{"Priority": "High"');
    await change.getByRole('button', { name: 'Send change' }).click();
    await expectPage(change.getByText(/^Not JSON/)).toBeVisible();
    await change.getByRole('textbox', { name: 'Record after' }).fill('{"Priority": "High"}');
    await change.getByRole('button', { name: 'Send change' }).click();
    await expectPage(page.getByTestId('change-sent')).toContainText('Accepted as message');

    await page.getByRole('link', { name: 'Webhooks' }).first().click();
    await table.getByRole('link', { name: 'Console hook' }).click();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    // The log refreshes by itself: no reload between the change and the attempt showing.
    await expectPage(attempts.getByRole('row').filter({ hasText: 'success' })).toHaveCount(1, { timeout: 30_000 });
    await expectPage(attempts.getByRole('row').filter({ hasText: 'success' })).toContainText('200');
    expect(e2e.receiver.at('/console')).toHaveLength(1);

    await page.getByRole('button', { name: 'Send a test' }).click();
    await expectPage(page.getByTestId('test-result')).toContainText('Receiver answered 200');

    await page.getByRole('button', { name: 'Disable' }).click();
    await expectPage(page.getByRole('button', { name: 'Enable' })).toBeVisible();
    expect(
      (await e2e.public(key).request('GET', page.url().replace(/.*\/webhooks\//, '/api/v2/webhook/'))).body.Disabled,
    ).toBe(true);
    await page.getByRole('button', { name: 'Enable' }).click();
    await expectPage(page.getByRole('button', { name: 'Disable' })).toBeVisible();

    // The secret shown at creation is gone: the API only ever shows it masked again.
    expect(await page.getByTestId('secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Rotate signing secret' }).click();
    await expectPage(page.getByTestId('secret')).toHaveText(/\S{16,}/);
    await page.getByRole('button', { name: 'Dismiss secret' }).click();
    await expectPage(page.getByTestId('secret')).toHaveCount(0);

    await page.getByRole('link', { name: 'Overview' }).click();
    await expectPage(page.getByRole('table', { name: 'Recent attempts' })).toContainText('Console hook');
    // The tenant's one attempt so far (test deliveries are not logged), across its webhooks.
    await expectPage(page.getByTestId('stat-Attempts')).toHaveText('1');
    await expectPage(page.getByTestId('stat-Success ratio')).toHaveText('100.0 %');
    await expectPage(page.getByTestId('stat-Open breakers')).toHaveText('0');
    await expectPage(page.getByRole('table', { name: 'Queues between services' })).toContainText(
      'matcher → dispatcher',
    );
    await expectPage(page.getByTestId('stat-p50 latency')).toHaveText(/^\d+ ms$/);
    await expectPage(
      page.getByRole('img', { name: /^Attempts per minute over the last 60 minutes: 1 attempts, 0 failed/ }),
    ).toBeVisible();
    await page.goBack();

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: /^Name/ }).fill('Console hook, edited');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expectPage(page.getByRole('heading', { name: 'Console hook, edited' })).toBeVisible();
  });

  it('searches, sorts and pages the webhook table on the server, and deletes after confirmation', async () => {
    const api = e2e.public(key);
    const indexed = await indexTotal();
    for (let i = 0; i < 21; i++)
      await api.request('POST', '/api/v2/webhook', {
        AppName: 'bulk',
        AppUrl: 'http://bulk',
        Name: `Bulk ${String(i).padStart(2, '0')}`,
        TargetUrl: e2e.receiver.url('/bulk'),
        Events: ['Deleted'],
      });
    // The tests after this one count the index from here.
    await e2e.indexed(indexed + 21);
    await page.goto(`${e2e.stack.publicUrl}/webhooks`);
    await signIn();
    const table = page.getByRole('table', { name: 'Webhooks' });
    await page.getByRole('textbox', { name: 'Search' }).fill('bulk');
    await expectPage(page.getByText('21 webhooks')).toBeVisible();
    await expectPage(table.getByRole('link')).toHaveCount(20);
    await page.getByRole('button', { name: 'Page 2' }).click();
    await expectPage(table.getByRole('link')).toHaveCount(1);
    await expectPage(table.getByRole('link')).toHaveText('Bulk 20');

    await page.getByRole('button', { name: /^Name/ }).click();
    await expectPage(table.getByRole('columnheader', { name: /^Name/ })).toHaveAttribute('aria-sort', 'descending');
    await expectPage(table.getByRole('link').first()).toHaveText('Bulk 20');

    await table.getByRole('button', { name: 'Delete Bulk 20' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Bulk 20”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expectPage(table.getByRole('link', { name: 'Bulk 20' })).toBeVisible();
    await table.getByRole('button', { name: 'Delete Bulk 20' }).click();
    await dialog.getByRole('button', { name: 'Delete webhook' }).click();
    await expectPage(page.getByText('20 webhooks')).toBeVisible();
    await expectPage(table.getByRole('link', { name: 'Bulk 20' })).toHaveCount(0);
    await e2e.indexed(indexed + 20);

    await page.getByRole('textbox', { name: 'Search' }).fill('no such hook');
    await expectPage(page.getByText('No webhook matches “no such hook”.')).toBeVisible();
  });

  it('creates an incoming hook, shows its URL and secret once, and lists the run a call starts', async () => {
    await page.goto(`${e2e.stack.publicUrl}/incoming`);
    await signIn();
    await page.getByRole('textbox', { name: 'New pipeline' }).fill('deploy-web');
    await page.getByRole('button', { name: 'Create pipeline' }).click();
    await expectPage(page.getByRole('textbox', { name: 'Pipeline', exact: true })).toHaveValue('deploy-web');

    await page.getByRole('textbox', { name: 'Hook name' }).fill('from CI');
    await page.getByRole('button', { name: 'Create hook' }).click();
    await expectPage(page.getByTestId('secret')).toHaveText(/\S{16,}/);
    const url = (await page.getByTestId('hook-url').textContent()) ?? '';
    expect(url).toMatch(new RegExp(`^${e2e.stack.publicUrl}/hooks/incoming/`));
    await expectPage(page.getByRole('table', { name: 'Incoming hooks' }).getByRole('row')).toHaveCount(2);

    const secret = (await page.getByTestId('secret').textContent()) ?? '';
    const body = JSON.stringify({ ref: 'main' });
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const header = (await page.getByTestId('hook-secret-header').textContent()) ?? '';
    const called = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: signature },
      body,
    });
    expect(called.status).toBe(202);
    const runs = page.getByRole('table', { name: 'Pipeline runs' });
    await expectPage(runs.getByRole('row')).toHaveCount(2, { timeout: 15_000 });
    await expectPage(runs).toContainText('deploy');
  });

  it('replays failed deliveries one by one and all at once, once the receiver is back', async () => {
    e2e.receiver.behave('/failing', 500);
    const indexed = await indexTotal();
    const created = await e2e.public(key).request<{ ObjectUUID: string }>('POST', '/api/v2/webhook', {
      AppName: 'console',
      AppUrl: 'http://console',
      Name: 'Failing hook',
      TargetUrl: e2e.receiver.url('/failing'),
      ObjectTypes: ['Story'],
      Events: ['Created'],
      RetryPolicy: { MaxRetries: 0 },
    });
    expect(created.status).toBe(200);
    await e2e.indexed(indexed + 1);
    for (const id of ['s-1', 's-2'])
      await e2e
        .public(key)
        .request('POST', '/api/v2/changes', { action: 'Created', object_type: 'Story', object_id: id, after: {} });

    await page.goto(`${e2e.stack.publicUrl}/webhooks/${created.body.ObjectUUID}`);
    await signIn();
    const failed = page.getByRole('table', { name: 'Failed deliveries' });
    await expectPage(failed.getByRole('row')).toHaveCount(3, { timeout: 30_000 });
    await expectPage(failed).toContainText('500');

    e2e.receiver.behave('/failing', 200);
    await failed
      .getByRole('button', { name: /^Replay delivery/ })
      .first()
      .click();
    await expectPage(page.getByText('Replay queued as delivery')).toBeVisible();
    await waitFor(() => e2e.receiver.at('/failing').filter((r) => r.status === 200).length === 1, 20_000);
    const attempts = page.getByRole('table', { name: 'Attempts' });
    await expectPage(attempts.getByRole('row').filter({ hasText: 'success' })).toHaveCount(1, { timeout: 30_000 });

    // A replayed delivery stays listed (with its replay count), so "all" sends both again.
    await page.getByRole('button', { name: 'Replay all 2' }).click();
    await expectPage(page.getByText('2 replays queued.')).toBeVisible();
    await expectPage(attempts.getByRole('row').filter({ hasText: 'success' })).toHaveCount(3, { timeout: 30_000 });
  });

  it('shows on the overview, without a reload, the breaker a failing receiver opens and the jobs it parks', async () => {
    // A receiver of its own: the breaker is per origin, and the others' tests share e2e.receiver's.
    const down = await Receiver.start();
    try {
      down.behave('/down', 503);
      const tenant = await e2e.tenant(7004);
      const indexed = await indexTotal();
      const created = await tenant.registry.request('POST', '/api/v2/webhook', {
        AppName: 'console',
        AppUrl: 'http://console',
        Name: 'Down hook',
        TargetUrl: down.url('/down'),
        ObjectTypes: ['Story'],
        Events: ['Created'],
        RetryPolicy: { MaxRetries: 3, InitialDelayMs: 200 },
      });
      expect(created.status).toBe(200);
      await e2e.indexed(indexed + 1);

      await page.goto(e2e.stack.publicUrl);
      await signIn(tenant.key);
      await expectPage(page.getByTestId('stat-Open breakers')).toHaveText('0');
      await expectPage(page.getByTestId('stat-Parked jobs')).toHaveText('0');

      // Five failed attempts open the breaker (the dispatcher's default volume threshold); the
      // retries after that are parked until the origin is probed again.
      for (let i = 0; i < 6; i++)
        await tenant.ingest.request('POST', '/api/v2/changes', {
          action: 'Created',
          object_type: 'Story',
          object_id: `down-${i}`,
          after: {},
        });
      const breakers = page.getByRole('table', { name: 'Open breakers' });
      await expectPage(page.getByTestId('stat-Open breakers')).toHaveText('1', { timeout: 30_000 });
      await expectPage(breakers).toContainText(new URL(down.url()).origin);
      await expectPage(page.getByTestId('stat-Parked jobs')).toHaveText(/^[1-9]\d*$/, { timeout: 30_000 });
    } finally {
      await down.stop();
    }
  });

  it('opens an attempt to show its request with secrets masked and the receiver’s answer', async () => {
    e2e.receiver.behave('/details', {
      status: 422,
      body: '{"reason":"Priority is not known"}',
      headers: { 'x-request-id': 'req-422' },
    });
    const indexed = await indexTotal();
    const created = await e2e.public(key).request<{ ObjectUUID: string }>('POST', '/api/v2/webhook', {
      AppName: 'console',
      AppUrl: 'http://console',
      Name: 'Detailed hook',
      TargetUrl: e2e.receiver.url('/details'),
      ObjectTypes: ['Task'],
      Events: ['Created'],
      Headers: { 'X-Api-Key': 'key-that-must-never-show' },
      RetryPolicy: { MaxRetries: 0 },
    });
    expect(created.status).toBe(200);
    await e2e.indexed(indexed + 1);
    await e2e
      .public(key)
      .request('POST', '/api/v2/changes', { action: 'Created', object_type: 'Task', object_id: 't-77', after: {} });

    await page.goto(`${e2e.stack.publicUrl}/webhooks/${created.body.ObjectUUID}`);
    await signIn();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    await expectPage(attempts.getByRole('row').filter({ hasText: 'failed' })).toHaveCount(1, { timeout: 30_000 });
    await attempts.getByRole('button', { name: /^Details of attempt 1/ }).click();

    const dialog = page.getByRole('dialog', { name: /^Attempt 1 of delivery/ });
    await expectPage(dialog.getByTestId('request-url')).toHaveText(`POST ${e2e.receiver.url('/details')}`);
    const sent = dialog.getByRole('table', { name: 'Request headers' });
    await expectPage(sent.getByRole('row', { name: /^x-api-key/ })).toContainText('********');
    await expectPage(sent.getByRole('row', { name: /^webhook-signature/ })).toContainText('********');
    await expectPage(sent.getByRole('row', { name: /^content-type/ })).toContainText('application/json');
    await expectPage(dialog.getByLabel('Request body')).toContainText('t-77');
    await expectPage(dialog.getByTestId('response-summary')).toHaveText(/^Status 422 in \d+ ms$/);
    await expectPage(dialog.getByTestId('response-error')).toHaveText('status: HTTP 422');
    await expectPage(
      dialog.getByRole('table', { name: 'Response headers' }).getByRole('row', { name: /^x-request-id/ }),
    ).toContainText('req-422');
    await expectPage(dialog.getByLabel('Response body')).toContainText('"reason": "Priority is not known"');
    expect(await dialog.textContent()).not.toContain('key-that-must-never-show');
    // The receiver did get the real value: only the log masks it.
    expect(e2e.receiver.at('/details')[0].headers['x-api-key']).toBe('key-that-must-never-show');
  });

  it('dry-runs a webhook’s edited filters against a sample change and names the clause that stops it', async () => {
    const indexed = await indexTotal();
    const created = await e2e.public(key).request<{ ObjectUUID: string }>('POST', '/api/v2/webhook', {
      AppName: 'console',
      AppUrl: 'http://console',
      Name: 'Dry-run hook',
      TargetUrl: e2e.receiver.url('/dry-run'),
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Priority', Operator: '=', Value: 'High' }],
    });
    expect(created.status).toBe(200);
    // Tests after this one count the index from here.
    await e2e.indexed(indexed + 1);
    await page.goto(`${e2e.stack.publicUrl}/webhooks/${created.body.ObjectUUID}/edit`);
    await signIn();
    await expectPage(page.getByLabel('Value 1')).toHaveValue('High');

    await page.getByLabel('Record after').fill('{"Priority": "Low", "State": "Open"}');
    await page.getByRole('button', { name: 'Try the filters' }).click();
    const result = page.getByTestId('dry-run-result');
    await expectPage(result).toContainText('It does not fire for this change');
    await expectPage(result).toContainText('Expressions[0]');

    // The edit is tried before it is saved.
    await page.getByLabel('Value 1').fill('Low');
    await page.getByRole('button', { name: 'Try the filters' }).click();
    await expectPage(result).toContainText('It fires for this change');

    await page.getByLabel('Sample object type').fill('Story');
    await page.getByRole('button', { name: 'Try the filters' }).click();
    await expectPage(result).toContainText('ObjectTypes');

    await page.getByLabel('Record after').fill('{Priority: Low}');
    await page.getByRole('button', { name: 'Try the filters' }).click();
    await expectPage(page.getByText('Not JSON')).toBeVisible();

    // Nothing was saved by trying.
    const stored = await e2e
      .public(key)
      .request<{ Expressions: { Value: string }[] }>('GET', `/api/v2/webhook/${created.body.ObjectUUID}`);
    expect(stored.body.Expressions[0].Value).toBe('High');
  });

  it('lets an admin add a user after fixing the refused field, change its roles and revoke it', async () => {
    await page.goto(`${e2e.stack.publicUrl}/`);
    await signIn();
    await page.getByRole('link', { name: 'Users' }).click();
    await expectPage(page.getByRole('heading', { name: 'Users' })).toBeVisible();

    const add = page.getByRole('form', { name: 'Add a user' });
    await add.getByRole('textbox', { name: 'Email' }).fill('new.person@example.com');
    await add.getByLabel('Password').fill('too short');
    await add.getByRole('checkbox', { name: /^integration/ }).check();
    await add.getByRole('button', { name: 'Add user' }).click();
    // The API's reason shows at the field and is read out with it.
    const reason = add.getByText(/^Password must be a string of 12/);
    await expectPage(reason).toBeVisible();
    const describedBy = (await add.getByLabel('Password').getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain(await reason.getAttribute('id'));

    await add.getByLabel('Password').fill('a long enough passphrase');
    await add.getByRole('button', { name: 'Add user' }).click();
    await expectPage(page.getByText('new.person@example.com can now sign in')).toBeVisible();
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: /new\.person@example\.com/ });
    await expectPage(row).toContainText('integration');
    await expectPage(row).toContainText('read-only');
    await expectPage(row).toContainText('Active');

    await row.getByRole('button', { name: 'Change roles of new.person@example.com' }).click();
    const roles = page.getByRole('dialog', { name: 'Roles of new.person@example.com' });
    await roles.getByRole('checkbox', { name: /^read-only/ }).uncheck();
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await expectPage(roles).toHaveCount(0);
    await expectPage(row.getByText('read-only', { exact: true })).toHaveCount(0);
    await expectPage(row).toContainText('integration');

    const login = () =>
      fetch(`${e2e.stack.publicUrl}/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'new.person@example.com', password: 'a long enough passphrase' }),
      });
    expect((await login()).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke new.person@example.com' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke new.person@example.com?' });
    await revoke.getByRole('button', { name: 'Cancel' }).click();
    await expectPage(row).toContainText('Active');
    await row.getByRole('button', { name: 'Revoke new.person@example.com' }).click();
    await revoke.getByRole('button', { name: 'Revoke user' }).click();
    await expectPage(row).toContainText('Revoked');
    await expectPage(row.getByRole('button')).toHaveCount(0);
    expect((await login()).status).toBe(401);
  });

  it('lets an admin add an API key, shows its secret once, and the key works until revoked', async () => {
    await page.goto(`${e2e.stack.publicUrl}/operations`);
    await signIn();
    const form = page.getByRole('form', { name: 'Add an API key' });
    // A tenant's admin makes keys for its own tenant only: no tenant to choose.
    await expectPage(form.getByRole('textbox', { name: /^Name/ })).toBeVisible();
    await expectPage(form.getByRole('textbox', { name: /^Tenant/ })).toHaveCount(0);
    await form.getByRole('textbox', { name: /^Name/ }).fill('ci pipeline');
    await form.getByRole('textbox', { name: /^Shared spaces/ }).fill('build-farm');
    await form.getByRole('textbox', { name: /^Shared spaces/ }).press('Enter');
    await form.getByRole('button', { name: 'Add key' }).click();
    await expectPage(page.getByTestId('secret')).toHaveText(/^hk_\S{16,}$/);
    const secret = (await page.getByTestId('secret').textContent())!.trim();
    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'ci pipeline' });
    await expectPage(row).toContainText('integration');
    await expectPage(row).toContainText('build-farm');
    expect((await e2e.public(secret).request('GET', '/api/v2/webhook')).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke ci pipeline' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke the key ci pipeline?' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await expectPage(row).toContainText('revoked');
    expect((await e2e.public(secret).request('GET', '/api/v2/webhook')).status).toBe(401);
  });

  it('keeps a BMC webhook’s numeric field ids numbers when it is edited', async () => {
    const created = await e2e.public(key).request<{ ObjectUUID: string }>('POST', '/api/v2/webhook', {
      AppName: 'bmc',
      AppUrl: 'http://bmc',
      Name: 'BMC hook',
      TargetUrl: e2e.receiver.url('/bmc-fields'),
      Dialect: 'bmc',
      ObjectTypes: ['HPD:Help Desk'],
      Events: ['Updated'],
      Fields: [2, 7, 536870913],
    });
    expect(created.status).toBe(200);
    const path = `/api/v2/webhook/${created.body.ObjectUUID}`;
    await page.goto(`${e2e.stack.publicUrl}/webhooks/${created.body.ObjectUUID}/edit`);
    await signIn();
    await page.getByRole('textbox', { name: /^Name/ }).fill('BMC hook, edited');
    await page.getByRole('textbox', { name: 'Extra fields' }).fill('8');
    await page.getByRole('textbox', { name: 'Extra fields' }).press('Enter');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expectPage(page.getByRole('heading', { name: 'BMC hook, edited' })).toBeVisible();

    const stored = await e2e.public(key).request<{ Fields: unknown[] }>('GET', path);
    expect(stored.body.Fields).toEqual([2, 7, 536870913, 8]);
  });

  it('passes axe-core on every main page, light and dark, and the keyboard reaches the content first', async () => {
    const found: { page: string; problems: string[] }[] = [];
    await page.goto(e2e.stack.publicUrl);
    found.push({ page: 'sign-in', problems: await accessibilityProblems(page) });
    await signIn();
    await expectPage(page.getByRole('heading', { name: 'Overview' })).toBeVisible();

    await page.keyboard.press('Tab');
    await expectPage(page.getByRole('link', { name: 'Skip to content' })).toBeVisible();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // Run after the tests above, the pages hold their webhooks, attempts, runs and badges.
    const created = await e2e.public(key).request<{ ObjectUUID: string; Name: string }>('POST', '/api/v2/webhook', {
      AppName: 'axe',
      AppUrl: 'http://axe',
      Name: 'Accessible hook',
      TargetUrl: e2e.receiver.url('/axe'),
      Events: ['Deleted'],
    });
    const webhook = created.body;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [path, heading] of [
        ['/', 'Overview'],
        ['/webhooks', 'Webhooks'],
        ['/webhooks/new', 'New webhook'],
        [`/webhooks/${webhook.ObjectUUID}`, webhook.Name],
        ['/incoming', 'Incoming hooks'],
        ['/changes', 'Send a change'],
        ['/operations', 'Operations'],
        ['/people', 'Users'],
      ] as const) {
        await page.goto(`${e2e.stack.publicUrl}${path}`);
        await expectPage(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
        await page.waitForLoadState('networkidle');
        found.push({ page: `${path} ${scheme}`, problems: await accessibilityProblems(page) });
      }
    }
    expect(found.filter((f) => f.problems.length > 0)).toEqual([]);
  });

  it('works at 390 px wide and in dark mode', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const small = await phone.newPage();
    const phoneErrors = collectErrors(small);
    try {
      await small.goto(e2e.stack.publicUrl);
      await small.getByRole('textbox', { name: 'API key' }).fill(key);
      await small.getByRole('button', { name: 'Sign in' }).click();
      await expectPage(small.getByRole('heading', { name: 'Overview' })).toBeVisible();
      expect(await small.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
      await small.getByRole('button', { name: 'Toggle navigation' }).click();
      await small.getByRole('link', { name: 'Webhooks' }).click();
      await expectPage(small.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
      // The page itself never scrolls sideways; wide tables scroll inside their own container.
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(phoneErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
