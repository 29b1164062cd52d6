import { evaluateExpression, OPERATORS, validateExpression, type Expression } from './expressions';
import { DEFINED, IDS, PROJECT, storyMessage, TAG_OLD, TAG_UI, TAG_URGENT, WORKSPACE } from './message.fixture';

const byName = (AttributeName: string, Operator: string, Value?: unknown): Expression =>
  Value === undefined ? { AttributeName, Operator } : { AttributeName, Operator, Value };

describe('OPERATORS', () => {
  it('are exactly the 13 of the Rally seed', () => {
    expect([...OPERATORS].sort()).toEqual(
      ['=', '!=', '<', '<=', '>', '>=', 'changed-to', 'changed-from', '~', '!~', 'has', '!has', 'changed'].sort(),
    );
  });
});

describe('validateExpression', () => {
  it('accepts the seed examples', () => {
    expect(validateExpression({ AttributeName: 'PlanEstimate', Operator: '>', Value: 10 }, 0)).toEqual([]);
    expect(validateExpression({ AttributeID: IDS.ScheduleState, Operator: '=', Value: 'In-Progress' }, 0)).toEqual([]);
    // The API echoes the unused selector as null.
    expect(validateExpression({ AttributeID: null, AttributeName: 'Workspace', Operator: '=', Value: 'x' }, 0)).toEqual(
      [],
    );
    expect(
      validateExpression({ AttributeName: 'ObjectType', Operator: '~', Value: ['Defect', 'TestCase'] }, 0),
    ).toEqual([]);
    expect(validateExpression({ AttributeName: 'Owner', Operator: 'has' }, 0)).toEqual([]);
    expect(validateExpression({ AttributeName: 'Owner', Operator: '!has', Value: null }, 0)).toEqual([]);
  });

  it('needs exactly one of AttributeID and AttributeName', () => {
    expect(validateExpression({ Operator: 'changed' }, 2)).toEqual([
      { field: 'Expressions[2]', reason: 'one of AttributeID or AttributeName is required' },
    ]);
    expect(validateExpression({ AttributeID: 'a', AttributeName: 'b', Operator: 'changed' }, 0)).toEqual([
      { field: 'Expressions[0]', reason: 'give exactly one of AttributeID or AttributeName, not both' },
    ]);
    expect(validateExpression({ AttributeName: '', Operator: 'changed' }, 0)).toEqual([
      { field: 'Expressions[0].AttributeName', reason: 'must be a non-empty string' },
    ]);
    expect(validateExpression({ AttributeID: 42, Operator: 'changed' }, 0)).toEqual([
      { field: 'Expressions[0].AttributeID', reason: 'must be a non-empty string' },
    ]);
  });

  it('rejects unknown operators and non-objects', () => {
    expect(validateExpression({ AttributeName: 'X', Operator: '==', Value: 1 }, 1)).toEqual([
      { field: 'Expressions[1].Operator', reason: expect.stringContaining('must be one of = != <') },
    ]);
    expect(validateExpression('x', 3)).toEqual([{ field: 'Expressions[3]', reason: 'must be an object' }]);
    expect(validateExpression(null, 0)).toHaveLength(1);
    expect(validateExpression([], 0)).toHaveLength(1);
  });

  it.each(['=', '!=', '<', '<=', '>', '>=', 'changed-to', 'changed-from'])('%s needs a scalar Value', (op) => {
    expect(validateExpression(byName('X', op, 'v'), 0)).toEqual([]);
    expect(validateExpression(byName('X', op, 0), 0)).toEqual([]);
    expect(validateExpression(byName('X', op, false), 0)).toEqual([]);
    expect(validateExpression(byName('X', op), 0)).toEqual([
      { field: 'Expressions[0].Value', reason: `operator ${op} needs a Value` },
    ]);
    expect(validateExpression({ AttributeName: 'X', Operator: op, Value: null }, 0)).toHaveLength(1);
    expect(validateExpression(byName('X', op, ['a']), 0)).toEqual([
      { field: 'Expressions[0].Value', reason: 'must be a string, number or boolean' },
    ]);
    expect(validateExpression(byName('X', op, { id: 'a' }), 0)).toHaveLength(1);
    expect(validateExpression(byName('X', op, Number.NaN), 0)).toHaveLength(1);
  });

  it.each(['~', '!~'])('%s needs a non-empty array of scalars', (op) => {
    expect(validateExpression(byName('X', op, ['a', 1, true]), 0)).toEqual([]);
    expect(validateExpression(byName('X', op, 'a'), 0)).toEqual([
      { field: 'Expressions[0].Value', reason: `operator ${op} needs a non-empty array of values` },
    ]);
    expect(validateExpression(byName('X', op, []), 0)).toHaveLength(1);
    expect(validateExpression(byName('X', op, ['a', { id: 1 }]), 0)).toEqual([
      { field: 'Expressions[0].Value[1]', reason: 'must be a string, number or boolean' },
    ]);
  });

  it.each(['has', '!has', 'changed'])('%s takes no Value', (op) => {
    expect(validateExpression(byName('X', op), 0)).toEqual([]);
    expect(validateExpression(byName('X', op, 'v'), 0)).toEqual([
      { field: 'Expressions[0].Value', reason: `operator ${op} takes no Value` },
    ]);
  });

  it('reports every problem at once', () => {
    expect(validateExpression({ AttributeID: 'a', AttributeName: 'b', Operator: 'has', Value: 1 }, 0)).toHaveLength(2);
  });
});

describe('evaluateExpression', () => {
  const msg = storyMessage();
  const ok = (e: Expression) => evaluateExpression(e, msg).ok;

  it('looks attributes up by AttributeID (the state key) or AttributeName (`name`)', () => {
    expect(ok({ AttributeID: IDS.Name, Operator: '=', Value: 'My Cool Story' })).toBe(true);
    expect(ok(byName('Name', '=', 'My Cool Story'))).toBe(true);
    // AttributeID is the key, not the name, and AttributeName is not the key.
    expect(ok({ AttributeID: 'Name', Operator: '=', Value: 'My Cool Story' })).toBe(false);
    expect(ok(byName(IDS.Name, '=', 'My Cool Story'))).toBe(false);
  });

  it('does not resolve ids through Object.prototype', () => {
    expect(ok({ AttributeID: 'constructor', Operator: 'has' })).toBe(false);
    expect(ok({ AttributeID: '__proto__', Operator: 'has' })).toBe(false);
  });

  describe('= and !=', () => {
    it('compare strings exactly', () => {
      expect(ok(byName('Name', '=', 'My Cool Story'))).toBe(true);
      expect(ok(byName('Name', '=', 'my cool story'))).toBe(false);
      expect(ok(byName('Name', '!=', 'Other'))).toBe(true);
      expect(ok(byName('Name', '!=', 'My Cool Story'))).toBe(false);
    });

    it('compare numbers, also against numeric strings', () => {
      expect(ok(byName('PlanEstimate', '=', 13))).toBe(true);
      expect(ok(byName('PlanEstimate', '=', '13'))).toBe(true);
      expect(ok(byName('PlanEstimate', '=', '13.0'))).toBe(true);
      expect(ok(byName('PlanEstimate', '=', 12))).toBe(false);
      expect(ok(byName('PlanEstimate', '=', 'thirteen'))).toBe(false);
    });

    it('compare booleans, also against "true"/"false"', () => {
      expect(ok(byName('Blocked', '=', false))).toBe(true);
      expect(ok(byName('Blocked', '=', 'false'))).toBe(true);
      expect(ok(byName('Blocked', '=', true))).toBe(false);
      expect(ok(byName('Blocked', '!=', true))).toBe(true);
      expect(ok(byName('Blocked', '=', 0))).toBe(false);
    });

    it('compare ISO dates as instants', () => {
      expect(ok(byName('CreationDate', '=', '2016-06-23T20:54:26.978Z'))).toBe(true);
      expect(ok(byName('CreationDate', '=', '2016-06-23T22:54:26.978+02:00'))).toBe(true);
      expect(ok(byName('CreationDate', '=', '2016-06-23'))).toBe(false);
    });

    it('compare references by id, ref or name (seed: Project = "<uuid>", ScheduleState = "Defined")', () => {
      expect(ok(byName('Project', '=', PROJECT.id))).toBe(true);
      expect(ok(byName('Project', '=', PROJECT.ref))).toBe(true);
      expect(ok(byName('Project', '=', '0'))).toBe(true);
      expect(ok(byName('Project', '=', 0))).toBe(true);
      expect(ok(byName('ScheduleState', '=', 'Defined'))).toBe(true);
      expect(ok({ AttributeID: IDS.ScheduleState, Operator: '=', Value: 'In-Progress' })).toBe(false);
      expect(ok(byName('Project', '!=', 'another-uuid'))).toBe(true);
      expect(ok(byName('Project', '!=', PROJECT.id))).toBe(false);
    });

    it('know WSAPI reference keys (_refObjectUUID, _refObjectName, Name, ObjectUUID)', () => {
      expect(ok(byName('Workspace', '=', WORKSPACE._refObjectUUID))).toBe(true);
      expect(ok(byName('Workspace', '=', 'Main'))).toBe(true);
      expect(ok(byName('Workspace', '=', WORKSPACE._ref))).toBe(true);
      expect(ok(byName('Workspace', '=', 'main'))).toBe(false);
    });

    it('treat a collection as equal to a value it contains', () => {
      expect(ok(byName('Tags', '=', 'urgent'))).toBe(true);
      expect(ok(byName('Tags', '=', TAG_UI.ObjectUUID))).toBe(true);
      expect(ok(byName('Tags', '=', 'old'))).toBe(false);
      expect(ok(byName('Tags', '!=', 'old'))).toBe(true);
      expect(ok(byName('Tags', '!=', 'urgent'))).toBe(false);
    });

    it('treat null as unequal to any value, and a missing attribute as failing both', () => {
      expect(ok(byName('Owner', '=', 'someone'))).toBe(false);
      expect(ok(byName('Owner', '!=', 'someone'))).toBe(true);
      expect(ok(byName('Severity', '=', 'Critical'))).toBe(false);
      expect(ok(byName('Severity', '!=', 'Critical'))).toBe(false);
    });
  });

  describe('ordering operators', () => {
    it.each([
      ['>', 10, true],
      ['>', 13, false],
      ['>=', 13, true],
      ['<', 13, false],
      ['<', 13.5, true],
      ['<=', 13, true],
      ['<=', 12.99, false],
      ['>', '9', true],
    ] as const)('PlanEstimate (13) %s %p is %p', (op, value, expected) => {
      expect(ok(byName('PlanEstimate', op, value))).toBe(expected);
    });

    it('order ISO dates chronologically, whatever the offset or precision', () => {
      expect(ok(byName('CreationDate', '>', '2016-06-23'))).toBe(true);
      expect(ok(byName('CreationDate', '<', '2016-06-24T00:00:00Z'))).toBe(true);
      expect(ok(byName('CreationDate', '<', '2016-06-23T22:00:00+02:00'))).toBe(false);
      expect(ok(byName('CreationDate', '>=', '2016-06-23T20:54:26.978Z'))).toBe(true);
    });

    it('order strings by code unit', () => {
      expect(ok(byName('Name', '>', 'My'))).toBe(true);
      expect(ok(byName('Name', '<', 'Zebra'))).toBe(true);
      expect(ok(byName('Name', '<', 'A'))).toBe(false);
    });

    it('never hold for references, booleans, collections, null or missing attributes', () => {
      expect(ok(byName('ScheduleState', '>', 'A'))).toBe(false);
      expect(ok(byName('Blocked', '<', true))).toBe(false);
      expect(ok(byName('Tags', '>', 'a'))).toBe(false);
      expect(ok(byName('Owner', '<', 'z'))).toBe(false);
      expect(ok(byName('Owner', '>=', 0))).toBe(false);
      expect(ok(byName('Missing', '>', 0))).toBe(false);
      expect(ok(byName('Name', '>', 5))).toBe(false);
    });
  });

  describe('~ and !~', () => {
    it('match one of / none of the values', () => {
      expect(ok(byName('ScheduleState', '~', ['Accepted', 'Defined']))).toBe(true);
      expect(ok(byName('ScheduleState', '~', ['Accepted', 'Completed']))).toBe(false);
      expect(ok(byName('ScheduleState', '!~', ['Accepted', 'Completed']))).toBe(true);
      expect(ok(byName('ScheduleState', '!~', ['Accepted', 'Defined']))).toBe(false);
      expect(ok(byName('PlanEstimate', '~', [1, 13]))).toBe(true);
    });

    it('on a collection, match when any element is one of the values', () => {
      expect(ok(byName('Tags', '~', ['blocked', 'urgent']))).toBe(true);
      expect(ok(byName('Tags', '~', ['blocked', 'old']))).toBe(false);
      expect(ok(byName('Tags', '!~', ['blocked', 'old']))).toBe(true);
      expect(ok(byName('Tags', '!~', ['ui']))).toBe(false);
    });

    it('take a lone (unvalidated) Value as a list of one', () => {
      expect(ok(byName('ScheduleState', '~', 'Defined'))).toBe(true);
      expect(ok(byName('ScheduleState', '!~', 'Defined'))).toBe(false);
    });

    it('treat null as none of the values, and a missing attribute as failing both', () => {
      expect(ok(byName('Owner', '~', ['a']))).toBe(false);
      expect(ok(byName('Owner', '!~', ['a']))).toBe(true);
      expect(ok(byName('Missing', '~', ['a']))).toBe(false);
      expect(ok(byName('Missing', '!~', ['a']))).toBe(false);
    });
  });

  describe('has and !has', () => {
    it('tell a value from null or a missing attribute', () => {
      expect(ok(byName('Name', 'has'))).toBe(true);
      expect(ok(byName('Blocked', 'has'))).toBe(true); // false is a value
      expect(ok(byName('Owner', 'has'))).toBe(false);
      expect(ok(byName('Missing', 'has'))).toBe(false);
      expect(ok(byName('Name', '!has'))).toBe(false);
      expect(ok(byName('Owner', '!has'))).toBe(true);
      expect(ok(byName('Missing', '!has'))).toBe(true);
    });
  });

  describe('changed, changed-to, changed-from', () => {
    it('read the changes map, not the state', () => {
      expect(ok(byName('ScheduleState', 'changed'))).toBe(true);
      expect(ok({ AttributeID: IDS.VersionId, Operator: 'changed' })).toBe(true);
      expect(ok(byName('Name', 'changed'))).toBe(false);
      expect(ok(byName('Name', 'changed-to', 'My Cool Story'))).toBe(false);
    });

    it('compare the new value and old_value, references by name or id', () => {
      expect(ok(byName('ScheduleState', 'changed-to', 'Defined'))).toBe(true);
      expect(ok(byName('ScheduleState', 'changed-to', DEFINED.id))).toBe(true);
      expect(ok(byName('ScheduleState', 'changed-to', 'In-review'))).toBe(false);
      expect(ok(byName('ScheduleState', 'changed-from', 'In-review'))).toBe(true);
      expect(ok(byName('ScheduleState', 'changed-from', 'Defined'))).toBe(false);
      expect(ok(byName('VersionId', 'changed-from', 7))).toBe(true);
      expect(ok(byName('VersionId', 'changed-to', '8'))).toBe(true);
    });

    it('on a collection, mean "was added" and "was removed"', () => {
      expect(ok(byName('Tags', 'changed-to', 'ui'))).toBe(true);
      expect(ok(byName('Tags', 'changed-to', 'urgent'))).toBe(false); // present, but not added now
      expect(ok(byName('Tags', 'changed-from', 'old'))).toBe(true);
      expect(ok(byName('Tags', 'changed-from', TAG_OLD.ObjectUUID))).toBe(true);
      expect(ok(byName('Tags', 'changed-from', 'ui'))).toBe(false);
    });

    it('see a change from null on creation', () => {
      const created = storyMessage({
        action: 'Created',
        changes: {
          [IDS.Owner]: {
            value: 'Ann',
            old_value: null,
            type: 'String',
            name: 'Owner',
            display_name: 'Owner',
            ref: null,
          },
        },
      });
      expect(evaluateExpression(byName('Owner', 'changed-to', 'Ann'), created).ok).toBe(true);
      expect(evaluateExpression(byName('Owner', 'changed-from', 'Ann'), created).ok).toBe(false);
    });
  });

  describe('reasons', () => {
    it('say what the attribute was and what was expected', () => {
      expect(evaluateExpression(byName('PlanEstimate', '>', 20), msg)).toEqual({
        ok: false,
        reason: 'PlanEstimate is 13, expected > 20',
      });
      expect(evaluateExpression(byName('ScheduleState', '=', 'In-Progress'), msg)).toEqual({
        ok: false,
        reason: `ScheduleState is "Defined" (${DEFINED.id}), expected = "In-Progress"`,
      });
      expect(evaluateExpression(byName('Severity', '=', 'x'), msg)).toEqual({
        ok: false,
        reason: 'Severity is missing',
      });
      expect(evaluateExpression({ AttributeID: 'nope', Operator: 'changed' }, msg)).toEqual({
        ok: false,
        reason: 'attribute nope did not change',
      });
      expect(evaluateExpression(byName('Owner', 'has'), msg)).toEqual({ ok: false, reason: 'Owner has no value' });
      expect(evaluateExpression(byName('Tags', '~', ['x']), msg)).toEqual({
        ok: false,
        reason: `Tags is ["urgent" (${TAG_URGENT.ObjectUUID}), "ui" (${TAG_UI.ObjectUUID})], expected one of ["x"]`,
      });
      expect(evaluateExpression(byName('ScheduleState', 'changed-from', 'Accepted'), msg)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('changed from "In-review"'),
      });
    });

    it("say which value !has found, by the attribute's name even when selected by id", () => {
      expect(evaluateExpression({ AttributeID: IDS.Name, Operator: '!has' }, msg)).toEqual({
        ok: false,
        reason: 'Name has the value "My Cool Story"',
      });
    });

    it('say when values cannot be ordered', () => {
      expect(evaluateExpression(byName('ScheduleState', '>', 'A'), msg)).toEqual({
        ok: false,
        reason: `ScheduleState is "Defined" (${DEFINED.id}), which cannot be ordered against "A"`,
      });
    });

    it('name an unknown operator instead of throwing', () => {
      expect(evaluateExpression(byName('Name', 'like', 'x'), msg)).toEqual({
        ok: false,
        reason: 'unknown operator "like"',
      });
    });

    it('pass with { ok: true }', () => {
      expect(evaluateExpression(byName('Name', 'has'), msg)).toEqual({ ok: true });
    });
  });
});
