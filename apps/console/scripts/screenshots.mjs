// Refreshes docs/screenshots/: starts the real stack with the front door (free ports), fills it
// with a few webhooks and deliveries, and photographs the console's main pages in chromium.
// Needs `pnpm build` first. Run: pnpm --filter @hookline/console screenshots
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..', '..');
const { ProcessStack, Receiver, ApiClient, findExecutable, waitFor } = createRequire(import.meta.url)(
  join(root, 'packages', 'testing', 'dist'),
);
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const receiver = await Receiver.start();
// A receiver of its own that is down, so its breaker opens without holding back the others.
const down = await Receiver.start();
down.behave('/flaky', 503);
const stack = await ProcessStack.start({
  frontDoor: true,
  serviceEnv: {
    dispatcher: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HTTP_PORTS: 'any', WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8' },
  },
});
const executablePath = process.env.CHROMIUM_PATH ?? findExecutable('chromium') ?? findExecutable('chromium-browser');
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const key = await new ApiClient(stack.publicUrl, stack.adminKey).createKey(1001);
  const api = new ApiClient(stack.publicUrl, key);
  const hook = (Name, path, extra = {}) =>
    api.request('POST', '/api/v2/webhook', {
      AppName: 'Tracker',
      AppUrl: 'https://tracker.example',
      Name,
      TargetUrl: receiver.url(path),
      ObjectTypes: ['Defect'],
      Expressions: [{ AttributeName: 'Priority', Operator: '=', Value: 'High' }],
      ...extra,
    });
  const first = (await hook('Defects to on-call', '/oncall')).body;
  await hook('Release notes', '/notes', { Events: ['Created'], Expressions: [] });
  const flaky = await api.request('POST', '/api/v2/webhook', {
    AppName: 'Tracker',
    AppUrl: 'https://tracker.example',
    Name: 'Flaky receiver',
    TargetUrl: down.url('/flaky'),
    ObjectTypes: ['Story'],
    Events: ['Created'],
    RetryPolicy: { MaxRetries: 2, InitialDelayMs: 200 },
  });
  if (flaky.status !== 200) throw new Error(`the flaky webhook was refused: ${JSON.stringify(flaky.body)}`);
  await hook('Paused integration', '/paused', { Disabled: true });
  const matcher = new ApiClient(stack.url('matcher'), stack.adminKey);
  // The disabled webhook is not in the matcher's index.
  await waitFor(async () => (await matcher.request('GET', '/api/v2/index')).body.total === 3, 20_000);
  for (let i = 0; i < 3; i++)
    await api.request('POST', '/api/v2/changes', {
      action: 'Created',
      object_type: 'Defect',
      object_id: `d-${i}`,
      after: { Priority: 'High' },
    });
  // Five failures open the down receiver's breaker; the retries after that are parked.
  for (let i = 0; i < 6; i++)
    await api.request('POST', '/api/v2/changes', {
      action: 'Created',
      object_type: 'Story',
      object_id: `s-${i}`,
      after: {},
    });
  await waitFor(() => receiver.at('/oncall').length === 3, 30_000).catch((err) => {
    throw new Error(`${err.message}: the receiver got ${receiver.requests.map((r) => r.path).join(', ')}`);
  });
  await waitFor(async () => {
    const { Dispatch } = (await api.request('GET', '/api/v2/overview')).body;
    return Dispatch.OpenBreakers.length === 1 && Dispatch.ParkedJobs > 0;
  }, 30_000);
  const pipeline = (await api.request('POST', '/pipelines', { name: 'deploy-web' })).body;
  await api.request('POST', `/pipelines/${pipeline.id}/hooks/incoming`, {
    name: 'from GitHub',
    action_type: 'deploy',
    requires_secret: false,
  });

  await api.request('POST', '/api/v2/users', {
    Email: 'ada@example.com',
    Password: 'correct horse battery staple',
    Roles: ['integration'],
  });

  const portal = (
    await api.request('POST', '/api/v2/portal-links', {
      DisplayName: 'Acme Tracker',
      AccentColor: '#0b7285',
      Scope: 'read-only',
    })
  ).body;
  const portalUrl = new URL(portal.URL);

  // `act` brings the page to what the picture shows (a dialog open, a form tried).
  const shoot = async (name, path, { width = 1280, height = 860, scheme = 'light', signIn = true, act } = {}) => {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(`${stack.publicUrl}${path}`);
    if (signIn) {
      await page.getByRole('textbox', { name: 'API key' }).fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      // Lets the page's queries settle so the picture shows data, not spinners.
      await page.waitForLoadState('networkidle');
      // Several figures load side by side on one page; the picture waits for every one of them.
      await page.locator('[aria-label^="Loading"]').first().waitFor({ state: 'detached', timeout: 15_000 });
    }
    if (act) {
      await act(page);
      // Acting scrolls; a full-page picture taken scrolled shows the fixed header midway down.
      await page.mouse.wheel(0, -100_000);
    }
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    await context.close();
    console.log(`docs/screenshots/${name}.png`);
  };
  await shoot('sign-in', '/', { signIn: false });
  await shoot('overview', '/');
  await shoot('webhooks', '/webhooks');
  await shoot('webhook-form', '/webhooks/new');
  await shoot('webhook-deliveries', `/webhooks/${first.ObjectUUID}`);
  await shoot('attempt-details', `/webhooks/${first.ObjectUUID}`, {
    act: async (page) => {
      await page
        .getByRole('button', { name: /^Details of attempt 1/ })
        .first()
        .click();
      await page.getByRole('dialog').waitFor();
      // The dialog fades in; the picture shows it once it has.
      await page.waitForTimeout(500);
    },
  });
  await shoot('webhook-dry-run', `/webhooks/${first.ObjectUUID}/edit`, {
    act: async (page) => {
      await page.getByLabel('Record after').fill('{"Priority": "Low", "State": "Open"}');
      await page.getByRole('button', { name: 'Try the filters' }).click();
      await page.getByTestId('dry-run-result').waitFor();
    },
  });
  await shoot('users', '/people');
  await shoot('incoming-hooks', '/incoming');
  await shoot('operations', '/operations');
  await shoot('portal-links', '/portal-links');
  // The tenant's own console, opened from the link: no sign-in, its name and colour.
  await shoot('portal', portalUrl.pathname + portalUrl.hash, {
    signIn: false,
    act: async (page) => {
      await page.getByRole('table', { name: 'Webhooks' }).waitFor();
      await page.waitForLoadState('networkidle');
    },
  });
  await shoot('webhooks-dark-phone', '/webhooks', { width: 390, height: 844, scheme: 'dark' });
  await shoot('portal-phone', portalUrl.pathname + portalUrl.hash, {
    width: 390,
    height: 844,
    signIn: false,
    act: async (page) => {
      await page.getByRole('table', { name: 'Webhooks' }).waitFor();
      await page.waitForLoadState('networkidle');
    },
  });
} finally {
  await browser.close();
  await stack.stop();
  await receiver.stop();
  await down.stop();
}
