import { IDS, PROJECT, storyMessage } from './message.fixture';
import {
  compileWebhook,
  eventOfAction,
  InvalidWebhookError,
  matchWebhook,
  normalizeObjectType,
  objectTypeKeys,
  validateWebhook,
  type WebhookDefinition,
} from './webhook';

function webhook(overrides: Partial<WebhookDefinition> = {}): WebhookDefinition {
  return { id: 'w1', tenant: 'tenant-a', ObjectTypes: [], Events: [], Expressions: [], Disabled: false, ...overrides };
}

const match = (overrides: Partial<WebhookDefinition>, message = storyMessage()) =>
  matchWebhook(compileWebhook(webhook(overrides)), message);

describe('normalizeObjectType and objectTypeKeys', () => {
  it('ignore case and the PortfolioItem/ prefix', () => {
    expect(normalizeObjectType('PortfolioItem/Feature')).toBe('feature');
    expect(normalizeObjectType('Feature')).toBe('feature');
    expect(normalizeObjectType(' HierarchicalRequirement ')).toBe('hierarchicalrequirement');
    expect(objectTypeKeys('PortfolioItem/Initiative')).toEqual(['initiative', 'portfolioitem']);
    expect(objectTypeKeys('Defect')).toEqual(['defect']);
    expect(objectTypeKeys('PortfolioItem')).toEqual(['portfolioitem']);
  });
});

describe('eventOfAction', () => {
  it('maps Recycled to Deleted and keeps the rest', () => {
    expect(eventOfAction('Recycled')).toBe('Deleted');
    expect(eventOfAction('Deleted')).toBe('Deleted');
    expect(eventOfAction('Created')).toBe('Created');
    expect(eventOfAction('Updated')).toBe('Updated');
  });
});

describe('matchWebhook', () => {
  it('matches everything when ObjectTypes, Events and Expressions are empty', () => {
    expect(match({})).toEqual({ matched: true });
  });

  describe('ObjectTypes', () => {
    it('limits the object types, case-insensitively', () => {
      expect(match({ ObjectTypes: ['HierarchicalRequirement', 'Defect'] })).toEqual({ matched: true });
      expect(match({ ObjectTypes: ['hierarchicalrequirement'] })).toEqual({ matched: true });
      expect(match({ ObjectTypes: ['Defect', 'TestCase'] })).toEqual({
        matched: false,
        failed: { clause: 'ObjectTypes', reason: 'object type HierarchicalRequirement is not one of Defect, TestCase' },
      });
    });

    it('scopes Portfolio Items by bare name (seed: ["Feature"] matches PortfolioItem/Feature)', () => {
      const feature = storyMessage({ object_type: 'PortfolioItem/Feature' });
      expect(match({ ObjectTypes: ['Feature'] }, feature)).toEqual({ matched: true });
      expect(match({ ObjectTypes: ['PortfolioItem/Feature'] }, feature)).toEqual({ matched: true });
      expect(match({ ObjectTypes: ['PortfolioItem'] }, feature)).toEqual({ matched: true });
      expect(match({ ObjectTypes: ['Initiative'] }, feature).matched).toBe(false);
      expect(match({ ObjectTypes: ['PortfolioItem'] }).matched).toBe(false);
    });
  });

  describe('Events', () => {
    it('limits the events', () => {
      expect(match({ Events: ['Updated'] })).toEqual({ matched: true });
      expect(match({ Events: ['Created', 'Deleted'] })).toEqual({
        matched: false,
        failed: { clause: 'Events', reason: 'event Updated is not one of Created, Deleted' },
      });
    });

    it('counts Recycled as Deleted', () => {
      const recycled = storyMessage({ action: 'Recycled' });
      expect(match({ Events: ['Deleted'] }, recycled)).toEqual({ matched: true });
      expect(match({ Events: ['Created', 'Updated'] }, recycled)).toMatchObject({ failed: { clause: 'Events' } });
    });
  });

  describe('Triggers', () => {
    const triggers = [
      { ObjectType: 'Defect', Event: 'Created' as const },
      { ObjectType: 'HierarchicalRequirement', Event: 'Deleted' as const },
      { ObjectType: 'Feature', Event: 'Updated' as const },
    ];

    it('fires for any of its pairs of object type and event, and for no other pair', () => {
      expect(match({ Triggers: triggers }, storyMessage({ action: 'Recycled' }))).toEqual({ matched: true });
      expect(match({ Triggers: triggers }, storyMessage({ object_type: 'PortfolioItem/Feature' }))).toEqual({
        matched: true,
      });
      expect(match({ Triggers: triggers })).toEqual({
        matched: false,
        failed: {
          clause: 'Triggers',
          reason:
            'HierarchicalRequirement Updated is not one of Defect Created, HierarchicalRequirement Deleted, Feature Updated',
        },
      });
    });

    it('stands in for ObjectTypes and Events, which are then not consulted', () => {
      expect(
        match({ Triggers: triggers, ObjectTypes: ['Task'], Events: ['Created'] }, storyMessage({ action: 'Deleted' })),
      ).toEqual({
        matched: true,
      });
      expect(match({ Triggers: [], ObjectTypes: ['Task'] })).toMatchObject({ failed: { clause: 'ObjectTypes' } });
    });
  });

  describe('Expressions', () => {
    it('AND all expressions and report the first that fails, by index', () => {
      const Expressions = [
        { AttributeName: 'PlanEstimate', Operator: '>', Value: 10 },
        { AttributeName: 'Project', Operator: '=', Value: PROJECT.id },
        { AttributeID: IDS.ScheduleState, Operator: '=', Value: 'In-Progress' },
        { AttributeName: 'Name', Operator: '=', Value: 'nope' },
      ];
      expect(match({ Expressions: Expressions.slice(0, 2) })).toEqual({ matched: true });
      expect(match({ Expressions })).toEqual({
        matched: false,
        failed: { clause: 'Expressions[2]', reason: expect.stringContaining('expected = "In-Progress"') },
      });
    });

    it('checks ObjectTypes and Events before Expressions', () => {
      const failing = [{ AttributeName: 'Name', Operator: '=', Value: 'nope' }];
      expect(match({ ObjectTypes: ['Defect'], Expressions: failing })).toMatchObject({
        failed: { clause: 'ObjectTypes' },
      });
      expect(match({ Events: ['Created'], Expressions: failing })).toMatchObject({ failed: { clause: 'Events' } });
    });
  });

  describe('Condition', () => {
    it('must hold as well, after the expressions', () => {
      expect(match({ Condition: '${webhookContext.PlanEstimate} >= 13' })).toEqual({ matched: true });
      expect(match({ Condition: '${webhookContext.PlanEstimate} > 13' })).toEqual({
        matched: false,
        failed: { clause: 'Condition', reason: '${webhookContext.PlanEstimate} (13) > 13 is false' },
      });
      expect(
        match({ Condition: '1 = 2', Expressions: [{ AttributeName: 'Name', Operator: '=', Value: 'nope' }] }),
      ).toMatchObject({ failed: { clause: 'Expressions[0]' } });
    });

    it('is ignored when blank or null', () => {
      expect(match({ Condition: '   ' })).toEqual({ matched: true });
      expect(match({ Condition: null })).toEqual({ matched: true });
    });
  });

  it('evaluates a disabled webhook too, for dry runs', () => {
    expect(match({ Disabled: true })).toEqual({ matched: true });
  });
});

describe('compileWebhook', () => {
  it('normalises and de-duplicates ObjectTypes and Events', () => {
    const compiled = compileWebhook(
      webhook({ ObjectTypes: ['Feature', 'PortfolioItem/Feature', 'Defect'], Events: ['Updated', 'Updated'] }),
    );
    expect([...compiled.objectTypes]).toEqual(['feature', 'defect']);
    expect([...compiled.events]).toEqual(['Updated']);
  });

  it('parses the condition once', () => {
    expect(compileWebhook(webhook({ Condition: '1 = 1' })).condition).toEqual({
      kind: 'compare',
      op: '=',
      left: { kind: 'number', value: 1 },
      right: { kind: 'number', value: 1 },
    });
  });

  it('throws InvalidWebhookError listing every problem', () => {
    const bad = webhook({
      Expressions: [{ AttributeName: 'X', Operator: '~', Value: 'a' }],
      Condition: '${webhookContext.1} = ',
    });
    expect(() => compileWebhook(bad)).toThrow(InvalidWebhookError);
    try {
      compileWebhook(bad);
    } catch (err) {
      expect((err as InvalidWebhookError).problems).toEqual([
        { field: 'Expressions[0].Value', reason: 'operator ~ needs a non-empty array of values' },
        {
          field: 'Condition',
          reason: 'expected a field reference, string, number or $NULL$ but found end of input (at offset 22)',
        },
      ]);
    }
  });
});

describe('validateWebhook', () => {
  it('accepts a valid definition and absent optional parts', () => {
    expect(validateWebhook({})).toEqual([]);
    expect(
      validateWebhook({
        ObjectTypes: ['Defect'],
        Events: ['Created', 'Deleted'],
        Expressions: [{ AttributeName: 'Severity', Operator: 'changed' }],
        Condition: '${webhookContext.F} = "High"',
        Fields: ['Name', 2, 7],
        IncludeAllFields: false,
        PayloadFormat: 'record',
      }),
    ).toEqual([]);
  });

  it('reports malformed parts by field', () => {
    expect(
      validateWebhook({
        ObjectTypes: ['Defect', ''],
        Events: ['Recycled'],
        Expressions: 'x',
        Condition: 5,
        Fields: [null],
        IncludeAllFields: 'yes',
        PayloadFormat: 'xml',
        Triggers: [{ ObjectType: 'Incident', Event: 'Created' }, { ObjectType: '', Event: 'Closed' }, 'x'],
      }),
    ).toEqual([
      { field: 'ObjectTypes[1]', reason: 'must be a non-empty string' },
      { field: 'Events[0]', reason: 'must be one of Created, Updated, Deleted' },
      { field: 'Triggers[1].ObjectType', reason: 'must be a non-empty string' },
      { field: 'Triggers[1].Event', reason: 'must be one of Created, Updated, Deleted' },
      { field: 'Triggers[2]', reason: 'must be an object with ObjectType and Event' },
      { field: 'Expressions', reason: 'must be an array' },
      { field: 'Fields[0]', reason: 'must be an attribute id or name' },
      { field: 'IncludeAllFields', reason: 'must be a boolean' },
      { field: 'PayloadFormat', reason: 'must be one of rally, record, ticket' },
      { field: 'Condition', reason: 'must be a string' },
    ]);
  });
});
