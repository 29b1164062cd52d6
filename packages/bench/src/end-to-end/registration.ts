import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SUBJECTS, type WebhookEvent } from '@hookline/contracts';
import { createHooklineClient } from '@hookline/client';
import type { NatsClient } from '@hookline/messaging';
import type { ProcessStack, Receiver } from '@hookline/testing';
import type { CpuMeter } from '../cpu-meter';
import { closedLoop } from '../load';
import { fmtRate, log } from '../stats';
import { sleep } from '../tally';
import type { EndToEndConfig } from './config';

export interface RegistrationContext {
  config: EndToEndConfig;
  cpu: CpuMeter;
  stack: ProcessStack;
  client: NatsClient;
  receivers: Receiver[];
}

interface Registration {
  /** Webhooks created through the registry's REST API, and how long that took. */
  rest: number;
  restSeconds: number;
  /** Webhooks published straight on WEBHOOKS (see `register`). */
  published: number;
  publishedSeconds: number;
  keySeconds: number;
  /** Tenants given an API key for their REST-made webhooks. */
  keyTenants: number;
  /** Seconds from the first creation until the matcher's index held every webhook. */
  indexedSeconds: number;
  total: number;
}

/** The receiver of tenant t's webhook k: neighbouring tenants use the two halves of the receivers. */
export const receiverOf = (config: EndToEndConfig, tenantIndex: number, k: number): number =>
  (tenantIndex * config.perTenant + k) % config.receivers;

/**
 * 10,000 webhooks, 10 per tenant, webhook k of a tenant listening for `Route` k<k> or `all`.
 *
 * `restCount` of them, spread evenly over the order in which the runs' changes reach them (every
 * 50th with 200 of 10,000), go through the registry's REST API (API key per tenant, then POST
 * /api/v2/webhook): only those have stats the registry updates after each batch of outcomes, and
 * the first 200 in a row had put all those updates, about a millisecond of FerretDB each, into one
 * 80 ms slice of every 3.9 s pass over the webhooks, a spike the other webhooks' deliveries queued
 * behind. The rest, if any, are published straight on WEBHOOKS as copies of the event
 * the registry itself published for a REST-made one (identity, name, target and expression
 * changed; its sealed signing secret kept), so the matcher and dispatcher hold exactly what REST
 * registration gives them; only the registry's database lacks them. On FerretDB 200 stays the
 * default so the figures compare with earlier runs; `pnpm bench` also runs the bench with every
 * webhook through REST (BENCH_REST_WEBHOOKS=10000, about 70 s of registration), which is what
 * users' stacks do: every webhook keeps stats.
 */
async function register(
  { config, stack, client, receivers }: RegistrationContext,
  restCount: number,
  concurrency: number,
): Promise<Registration> {
  const { tenants, perTenant, firstSubscription } = config;
  const total = tenants * perTenant;
  // Webhook n (tenant n / 10, its webhook n % 10) goes through REST when n is a multiple of the stride.
  const stride = Math.max(1, Math.floor(total / Math.max(1, restCount)));
  const webhooks = Array.from({ length: total }, (_, n) => n);
  const restWebhooks = webhooks.filter((n) => n % stride === 0).slice(0, restCount);
  const restSet = new Set(restWebhooks);
  const restTenants = [...new Set(restWebhooks.map((n) => Math.floor(n / perTenant)))];
  const operator = createHooklineClient({ baseUrl: stack.url('registry'), token: stack.adminKey });
  const matcher = createHooklineClient({ baseUrl: stack.url('matcher'), token: stack.adminKey });
  const definition = (t: number, k: number) => ({
    AppName: 'bench',
    AppUrl: 'https://bench.example',
    Name: `bench ${t}/${k}`,
    TargetUrl: receivers[receiverOf(config, t, k)].url('/hook'),
    ObjectTypes: ['Defect'],
    // k<k> fans a change out to webhook k alone, `all` to the tenant's ten.
    Expressions: [{ AttributeName: 'Route', Operator: '~' as const, Value: [`k${k}`, 'all'] }],
  });

  const keys = new Map<number, string>();
  const keysStarted = performance.now();
  await closedLoop(restTenants.length, config.registrationConcurrency, 600_000, async (i) => {
    const subscription = firstSubscription + restTenants[i];
    const { data, error } = await operator.POST('/api/v2/apikey', {
      body: { Name: `bench ${subscription}`, Roles: ['admin'], SubscriptionID: subscription },
    });
    if (!data) throw new Error(`API key creation failed: ${JSON.stringify(error)}`);
    keys.set(restTenants[i], data.Key);
  });
  const keySeconds = (performance.now() - keysStarted) / 1000;

  const started = performance.now();
  let template: WebhookEvent | undefined;
  await closedLoop(restWebhooks.length, concurrency, 3_600_000, async (i) => {
    const n = restWebhooks[i];
    const t = Math.floor(n / perTenant);
    const tenant = createHooklineClient({ baseUrl: stack.url('registry'), token: keys.get(t)! });
    const { data, error } = await tenant.POST('/api/v2/webhook', { body: definition(t, n % perTenant) });
    if (!data) throw new Error(`webhook creation failed: ${JSON.stringify(error)}`);
    if (n === 0) {
      const stored = await client.jsm.streams.getMessage('WEBHOOKS', {
        last_by_subj: SUBJECTS.webhookEvent(String(firstSubscription), data.ObjectUUID),
      });
      template = stored?.json<WebhookEvent>();
    }
  });
  const restSeconds = (performance.now() - started) / 1000;

  const publishedStarted = performance.now();
  const publishedWebhooks = webhooks.filter((n) => !restSet.has(n));
  const published = publishedWebhooks.length;
  if (published > 0) {
    if (!template?.webhook || !template.spec)
      throw new Error('no webhook event to copy: register at least one through REST');
    const base = template;
    const events = publishedWebhooks.map((n): WebhookEvent => {
      const t = Math.floor(n / perTenant);
      const tenant = String(firstSubscription + t);
      const webhookId = randomUUID();
      const { Name, TargetUrl, Expressions } = definition(t, n % perTenant);
      return {
        ...base,
        tenant,
        webhookId,
        webhook: {
          ...base.webhook!,
          Name,
          TargetUrl,
          Expressions: Expressions.map((e) => ({ AttributeID: null, ...e })),
          ObjectUUID: webhookId,
          SubscriptionID: Number(tenant),
          _ref: base.webhook!._ref.replace(base.webhookId, webhookId),
        },
        spec: { ...base.spec!, TargetUrl },
      };
    });
    await closedLoop(events.length, 256, 600_000, (i) =>
      client.js.publish(SUBJECTS.webhookEvent(events[i].tenant, events[i].webhookId), JSON.stringify(events[i]), {
        msgID: `${events[i].webhookId}:1`,
      }),
    );
  }
  const publishedSeconds = (performance.now() - publishedStarted) / 1000;

  for (;;) {
    const { data: index } = await matcher.GET('/api/v2/index');
    if (index?.total === total) break;
    if (performance.now() - publishedStarted > 300_000)
      throw new Error(`the matcher indexed ${index?.total} of ${total} webhooks`);
    await sleep(100);
  }
  const indexedSeconds = (performance.now() - started) / 1000;
  return {
    rest: restWebhooks.length,
    restSeconds,
    published,
    publishedSeconds,
    keySeconds,
    keyTenants: restTenants.length,
    indexedSeconds,
    total,
  };
}

/**
 * Registers every webhook (see `register`) and says how: all through REST on MongoDB, a few on
 * FerretDB unless BENCH_REST_WEBHOOKS says otherwise. Resolves with the line the report repeats.
 */
export async function registerWebhooks(ctx: RegistrationContext): Promise<{ total: number; line: string }> {
  const { config, cpu, stack } = ctx;
  const ferret = stack.infraSources.mongo.includes('FerretDB');
  const total = config.tenants * config.perTenant;
  const restCount = Math.min(total, config.restWebhooks ?? (ferret ? config.ferretdbRestWebhooks : total));
  // FerretDB on SQLite takes one writer at a time: more requests in flight only queue behind it.
  const concurrency = ferret ? 1 : config.registrationConcurrency;
  log(
    `stack: registering ${total} webhooks (${config.tenants} tenants × ${config.perTenant}): ${restCount} through REST ` +
      `(${concurrency} in flight), ${total - restCount} published on WEBHOOKS ...`,
  );
  cpu.begin();
  const registered = await register(ctx, restCount, concurrency);
  const registrationCpu = cpu.end().percent();
  const line =
    `${registered.rest} webhooks through REST in ${registered.restSeconds.toFixed(1)} s ` +
    `(${fmtRate(registered.rest / registered.restSeconds)}/s, ${concurrency} in flight; API keys for ${registered.keyTenants} tenants ${registered.keySeconds.toFixed(1)} s)` +
    (registered.published > 0
      ? `, ${registered.published} published on WEBHOOKS in ${registered.publishedSeconds.toFixed(1)} s`
      : '') +
    `; all ${registered.total} in the matcher's index ${registered.indexedSeconds.toFixed(1)} s after the first. CPU: ${registrationCpu}`;
  log(`  ${line}`);
  return { total: registered.total, line };
}
