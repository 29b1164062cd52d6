import fc from 'fast-check';
import type { ChangeAction } from '@hookline/contracts';
import { storyMessage } from './message.fixture';
import {
  compileWebhook,
  InvalidWebhookError,
  matchWebhook,
  type WebhookDefinition,
  type WebhookEventType,
} from './webhook';
import { WebhookIndex } from './webhook-index';

function def(id: string, overrides: Partial<WebhookDefinition> = {}): WebhookDefinition {
  return { id, tenant: 'tenant-a', ObjectTypes: [], Events: [], Expressions: [], Disabled: false, ...overrides };
}

const ids = (list: { def: WebhookDefinition }[]) => list.map((c) => c.def.id).sort();

describe('WebhookIndex', () => {
  it('offers as candidates only webhooks of the tenant whose types and events fit', () => {
    const index = new WebhookIndex();
    index.upsert(def('any'));
    index.upsert(def('story', { ObjectTypes: ['HierarchicalRequirement'] }));
    index.upsert(def('story-updated', { ObjectTypes: ['HierarchicalRequirement', 'Defect'], Events: ['Updated'] }));
    index.upsert(def('story-created', { ObjectTypes: ['HierarchicalRequirement'], Events: ['Created'] }));
    index.upsert(def('updated', { Events: ['Updated', 'Deleted'] }));
    index.upsert(def('defect', { ObjectTypes: ['Defect'] }));
    index.upsert(def('other-tenant', { tenant: 'tenant-b' }));

    expect(ids(index.candidates(storyMessage()))).toEqual(['any', 'story', 'story-updated', 'updated']);
    expect(ids(index.candidates(storyMessage({ action: 'Created' })))).toEqual(['any', 'story', 'story-created']);
    expect(ids(index.candidates(storyMessage({ action: 'Recycled' })))).toEqual(['any', 'story', 'updated']);
    expect(ids(index.candidates(storyMessage({ object_type: 'Defect' })))).toEqual([
      'any',
      'defect',
      'story-updated',
      'updated',
    ]);
    expect(ids(index.candidates(storyMessage({ tenant: 'tenant-b' })))).toEqual(['other-tenant']);
    expect(index.candidates(storyMessage({ tenant: 'nobody' }))).toEqual([]);
  });

  it('finds Portfolio Item webhooks by bare name or "PortfolioItem", each once', () => {
    const index = new WebhookIndex();
    index.upsert(def('feature', { ObjectTypes: ['Feature'] }));
    index.upsert(def('all-pi', { ObjectTypes: ['PortfolioItem'] }));
    index.upsert(def('both', { ObjectTypes: ['PortfolioItem/Feature', 'PortfolioItem'] }));
    index.upsert(def('initiative', { ObjectTypes: ['Initiative'] }));
    expect(ids(index.candidates(storyMessage({ object_type: 'PortfolioItem/Feature' })))).toEqual([
      'all-pi',
      'both',
      'feature',
    ]);
  });

  it('offers a webhook with Triggers only for its pairs of type and event, not their cross product', () => {
    const index = new WebhookIndex();
    index.upsert(
      def('pairs', {
        ObjectTypes: ['Ignored'],
        Triggers: [
          { ObjectType: 'Incident', Event: 'Created' },
          { ObjectType: 'ConfigurationItem', Event: 'Updated' },
        ],
      }),
    );
    const fired = (object_type: string, action: ChangeAction) =>
      ids(index.match(storyMessage({ object_type, action })));
    expect(fired('Incident', 'Created')).toEqual(['pairs']);
    expect(fired('ConfigurationItem', 'Updated')).toEqual(['pairs']);
    expect(fired('Incident', 'Updated')).toEqual([]);
    expect(fired('ConfigurationItem', 'Created')).toEqual([]);
    expect(fired('Ignored', 'Created')).toEqual([]);
  });

  it('match() evaluates expressions and conditions on the candidates', () => {
    const index = new WebhookIndex();
    index.upsert(def('big', { Expressions: [{ AttributeName: 'PlanEstimate', Operator: '>', Value: 10 }] }));
    index.upsert(def('small', { Expressions: [{ AttributeName: 'PlanEstimate', Operator: '<', Value: 10 }] }));
    index.upsert(def('cond', { Condition: '${webhookContext.Name} LIKE "My%"' }));
    expect(ids(index.match(storyMessage()))).toEqual(['big', 'cond']);
  });

  it('upsert replaces a webhook by tenant and id', () => {
    const index = new WebhookIndex();
    index.upsert(def('w', { ObjectTypes: ['Defect'] }));
    index.upsert(def('w', { ObjectTypes: ['HierarchicalRequirement'] }));
    expect(index.size('tenant-a')).toBe(1);
    expect(ids(index.candidates(storyMessage()))).toEqual(['w']);
    expect(index.candidates(storyMessage({ object_type: 'Defect' }))).toEqual([]);
    expect(index.get('tenant-a', 'w')?.def.ObjectTypes).toEqual(['HierarchicalRequirement']);
  });

  it('keeps the same id apart in different tenants', () => {
    const index = new WebhookIndex();
    index.upsert(def('w'));
    index.upsert(def('w', { tenant: 'tenant-b' }));
    expect(index.size()).toBe(2);
    expect(index.remove('tenant-b', 'w')).toBe(true);
    expect(ids(index.candidates(storyMessage()))).toEqual(['w']);
    expect(index.candidates(storyMessage({ tenant: 'tenant-b' }))).toEqual([]);
  });

  it('does not hold disabled webhooks, and disabling removes one', () => {
    const index = new WebhookIndex();
    index.upsert(def('w'));
    index.upsert(def('w', { Disabled: true }));
    index.upsert(def('v', { Disabled: true }));
    expect(index.size('tenant-a')).toBe(0);
    expect(index.candidates(storyMessage())).toEqual([]);
  });

  it('keeps the old webhook when an update is invalid', () => {
    const index = new WebhookIndex();
    index.upsert(def('w'));
    expect(() => index.upsert(def('w', { Condition: '((' }))).toThrow(InvalidWebhookError);
    expect(ids(index.candidates(storyMessage()))).toEqual(['w']);
  });

  it('remove() empties buckets and tenants and reports what it did', () => {
    const index = new WebhookIndex();
    index.upsert(def('w', { ObjectTypes: ['HierarchicalRequirement'], Events: ['Updated'] }));
    expect(index.remove('tenant-a', 'w')).toBe(true);
    expect(index.remove('tenant-a', 'w')).toBe(false);
    expect(index.remove('nobody', 'w')).toBe(false);
    expect(index.size()).toBe(0);
    expect(index.size('tenant-a')).toBe(0);
    expect(index.get('tenant-a', 'w')).toBeUndefined();
    expect(index.candidates(storyMessage())).toEqual([]);
  });

  it('counts webhooks per tenant', () => {
    const index = new WebhookIndex();
    for (let i = 0; i < 5; i++) index.upsert(def(`a${i}`));
    for (let i = 0; i < 3; i++) index.upsert(def(`b${i}`, { tenant: 'tenant-b' }));
    expect([index.size('tenant-a'), index.size('tenant-b'), index.size('nobody'), index.size()]).toEqual([5, 3, 0, 8]);
  });

  it('matches exactly what testing every webhook would (property-based)', () => {
    const TYPES = ['Defect', 'HierarchicalRequirement', 'Feature', 'PortfolioItem', 'PortfolioItem/Initiative'];
    const MESSAGE_TYPES = [
      'Defect',
      'HierarchicalRequirement',
      'PortfolioItem/Feature',
      'PortfolioItem/Initiative',
      'Task',
    ];
    const EVENTS: WebhookEventType[] = ['Created', 'Updated', 'Deleted'];
    const ACTIONS: ChangeAction[] = ['Created', 'Updated', 'Deleted', 'Recycled'];
    const webhookArb = fc.record({
      tenant: fc.constantFrom('tenant-a', 'tenant-b'),
      ObjectTypes: fc.subarray(TYPES),
      Events: fc.subarray(EVENTS),
      Triggers: fc.option(
        fc.array(fc.record({ ObjectType: fc.constantFrom(...TYPES), Event: fc.constantFrom(...EVENTS) }), {
          minLength: 1,
          maxLength: 3,
        }),
      ),
      threshold: fc.option(fc.integer({ min: 0, max: 20 })),
      Disabled: fc.boolean(),
    });
    const ops = fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('upsert' as const), id: fc.integer({ min: 0, max: 9 }), w: webhookArb }),
        fc.record({
          op: fc.constant('remove' as const),
          id: fc.integer({ min: 0, max: 9 }),
          tenant: fc.constantFrom('tenant-a', 'tenant-b'),
        }),
      ),
      { maxLength: 40 },
    );
    const messageArb = fc.record({
      tenant: fc.constantFrom('tenant-a', 'tenant-b', 'tenant-c'),
      object_type: fc.constantFrom(...MESSAGE_TYPES),
      action: fc.constantFrom(...ACTIONS),
    });

    fc.assert(
      fc.property(ops, fc.array(messageArb, { minLength: 1, maxLength: 5 }), (operations, messages) => {
        const index = new WebhookIndex();
        const all = new Map<string, WebhookDefinition>();
        for (const o of operations) {
          if (o.op === 'remove') {
            index.remove(o.tenant, `w${o.id}`);
            all.delete(`${o.tenant}/w${o.id}`);
            continue;
          }
          const d = def(`w${o.id}`, {
            tenant: o.w.tenant,
            ObjectTypes: o.w.ObjectTypes,
            Events: o.w.Events,
            ...(o.w.Triggers !== null && { Triggers: o.w.Triggers }),
            Disabled: o.w.Disabled,
            Expressions:
              o.w.threshold === null ? [] : [{ AttributeName: 'PlanEstimate', Operator: '>', Value: o.w.threshold }],
          });
          index.upsert(d);
          all.set(`${d.tenant}/${d.id}`, d);
        }
        const enabled = [...all.values()].filter((d) => !d.Disabled);
        for (const m of messages) {
          const message = storyMessage(m);
          const expected = enabled
            .filter((d) => d.tenant === m.tenant && matchWebhook(compileWebhook(d), message).matched)
            .map((d) => d.id)
            .sort();
          expect(ids(index.match(message))).toEqual(expected);
          const candidates = ids(index.candidates(message));
          expect(new Set(candidates).size).toBe(candidates.length);
        }
        expect(index.size()).toBe(enabled.length);
      }),
      { numRuns: 500 },
    );
  });
});
