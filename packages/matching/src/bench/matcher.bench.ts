/**
 * Matcher throughput: builds a WebhookIndex of 10,000 and of 100,000 webhooks across 1,000
 * tenants and prints how many change messages per second `index.match` gets through.
 * A plain script, not a test: `node packages/matching/dist/bench/matcher.bench.js`.
 */
import { performance } from 'node:perf_hooks';
import type { ChangeAction, ChangeMessage } from '@hookline/contracts';
import {
  attributeId,
  diffSnapshots,
  WebhookIndex,
  type Expression,
  type WebhookDefinition,
  type WebhookEventType,
} from '../index';

const TENANTS = 1_000;
const SIZES = [10_000, 100_000];
const MESSAGES = 5_000;
const MIN_SECONDS = 2;

const TYPES = [
  'HierarchicalRequirement',
  'Defect',
  'Task',
  'TestCase',
  'PortfolioItem/Feature',
  'PortfolioItem/Initiative',
  'Release',
  'Iteration',
];
const STATES = ['Defined', 'In-Progress', 'Completed', 'Accepted'];
const PRIORITIES = ['Low', 'Normal', 'High', 'Critical'];
const EVENTS: WebhookEventType[] = ['Created', 'Updated', 'Deleted'];

/** mulberry32: a seeded generator, so every run measures the same webhooks and messages. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(42);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(list: readonly T[]): T => list[int(list.length)];
const bareType = (type: string) => type.replace('PortfolioItem/', '');
const projectOf = (tenant: number, k: number) => ({
  _refObjectUUID: `project-${tenant}-${k}`,
  _refObjectName: `Project ${k}`,
});

function expression(type: string, tenant: number): Expression {
  switch (int(9)) {
    case 0:
      return { AttributeName: 'PlanEstimate', Operator: '>', Value: int(20) };
    case 1:
      return { AttributeName: 'ScheduleState', Operator: '=', Value: pick(STATES) };
    case 2:
      return { AttributeName: 'ScheduleState', Operator: 'changed-to', Value: pick(STATES) };
    case 3:
      return { AttributeName: 'Priority', Operator: '~', Value: [pick(PRIORITIES), pick(PRIORITIES)] };
    case 4:
      return { AttributeID: attributeId(type, 'Owner'), Operator: 'has' };
    case 5:
      return { AttributeName: 'Blocked', Operator: '=', Value: random() < 0.5 };
    case 6:
      return { AttributeName: 'CreationDate', Operator: '>=', Value: `2024-0${1 + int(9)}-01` };
    case 7:
      return { AttributeName: 'Project', Operator: '=', Value: projectOf(tenant, int(5))._refObjectUUID };
    default:
      return { AttributeName: 'Name', Operator: 'changed' };
  }
}

function webhook(i: number): WebhookDefinition {
  const tenant = i % TENANTS;
  const types = random() < 0.2 ? [] : Array.from({ length: 1 + int(2) }, () => pick(TYPES));
  const events = random() < 0.3 ? [] : EVENTS.filter(() => random() < 0.5);
  const typeForIds = types[0] ?? pick(TYPES);
  return {
    id: `w${i}`,
    tenant: `t${tenant}`,
    ObjectTypes: types.map(bareType),
    Events: events,
    Expressions: Array.from({ length: 1 + int(3) }, () => expression(typeForIds, tenant)),
    Condition:
      random() < 0.1
        ? '${webhookContext.Priority} = "High" AND (${webhookContext.Owner} = $NULL$ OR ${webhookContext.Name} LIKE "%urgent%")'
        : undefined,
    Disabled: false,
  };
}

function snapshot(tenant: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    ObjectUUID: `obj-${int(1e9)}`,
    FormattedID: `US${int(10_000)}`,
    Name: random() < 0.1 ? 'urgent: fix login' : `Story ${int(1000)}`,
    PlanEstimate: int(21),
    ScheduleState: { _refObjectName: pick(STATES), _refObjectUUID: `state-${int(4)}` },
    Priority: pick(PRIORITIES),
    Owner: random() < 0.3 ? null : { _refObjectName: `User ${int(50)}`, _refObjectUUID: `user-${int(50)}` },
    Blocked: random() < 0.2,
    CreationDate: `2024-0${1 + int(9)}-1${int(10)}T10:00:00.000Z`,
    Project: projectOf(tenant, int(5)),
    Tags: Array.from({ length: int(3) }, () => ({ Name: `tag${int(10)}`, ObjectUUID: `tag-${int(10)}` })),
  };
  for (let c = 0; c < 10; c++) fields[`c_Custom${c}`] = int(100);
  return fields;
}

function message(n: number): ChangeMessage {
  const tenant = int(TENANTS);
  const type = pick(TYPES);
  const r = random();
  const action: ChangeAction = r < 0.7 ? 'Updated' : r < 0.9 ? 'Created' : r < 0.97 ? 'Deleted' : 'Recycled';
  const before = snapshot(tenant);
  const after: Record<string, unknown> = { ...before, ...snapshot(tenant), ObjectUUID: before.ObjectUUID };
  if (random() < 0.5) after.ScheduleState = before.ScheduleState;
  const { state, changes } = diffSnapshots({ action, object_type: type, before, after });
  return {
    message_id: `m${n}`,
    message_version: 2,
    subscription_id: tenant,
    tenant: `t${tenant}`,
    action,
    object_id: String(before.ObjectUUID),
    object_type: type,
    state,
    changes,
    ingested_at: new Date(0).toISOString(),
  };
}

function run(size: number, messages: ChangeMessage[]): void {
  const index = new WebhookIndex();
  const buildStart = performance.now();
  for (let i = 0; i < size; i++) index.upsert(webhook(i));
  const buildMs = performance.now() - buildStart;

  // One counting pass, which also warms up the JIT before timing.
  let candidates = 0;
  let matches = 0;
  for (const m of messages) {
    candidates += index.candidates(m).length;
    matches += index.match(m).length;
  }

  // Each round decodes the messages afresh (untimed), as the matcher gets each one from
  // JSON off the wire: no per-message work, such as the name index, carries over.
  const wire = messages.map((m) => JSON.stringify(m));
  let rounds = 0;
  let elapsed = 0;
  while (elapsed < MIN_SECONDS * 1000) {
    const fresh = wire.map((json) => JSON.parse(json) as ChangeMessage);
    const start = performance.now();
    for (const m of fresh) index.match(m);
    elapsed += performance.now() - start;
    rounds++;
  }
  const perSecond = Math.round((rounds * messages.length) / (elapsed / 1000));
  console.log(
    [
      `webhooks=${size.toLocaleString('en-US')}`,
      `tenants=${TENANTS}`,
      `build=${Math.round(buildMs)}ms`,
      `changes/s=${perSecond.toLocaleString('en-US')}`,
      `candidates/change=${(candidates / messages.length).toFixed(1)}`,
      `matches/change=${(matches / messages.length).toFixed(2)}`,
      `heapUsed=${Math.round(process.memoryUsage().heapUsed / 2 ** 20)}MiB`,
    ].join('  '),
  );
}

const messages = Array.from({ length: MESSAGES }, (_, n) => message(n));
console.log(
  `node ${process.version}, ${MESSAGES} distinct change messages, ~${Object.keys(messages[0].state).length} attributes each`,
);
for (const size of SIZES) run(size, messages);
