import { attributeId, attributeType, ATTRIBUTE_ID_NAMESPACE, diffSnapshots } from './diff';
import { evaluateExpression } from './expressions';
import { uuidv5 } from './uuid';

const TYPE = 'HierarchicalRequirement';
const id = (name: string) => attributeId(TYPE, name);
const OWNER_ANN = { _ref: '/user/1', ObjectUUID: 'user-ann', _refObjectName: 'Ann' };
const OWNER_BOB = { _ref: '/user/2', ObjectUUID: 'user-bob', _refObjectName: 'Bob' };

const before = {
  Name: 'Story',
  PlanEstimate: 3,
  Owner: OWNER_ANN,
  Tags: [
    { ObjectUUID: 't1', Name: 'a' },
    { ObjectUUID: 't2', Name: 'b' },
  ],
  Blocked: false,
  Notes: null,
};
const after = {
  Name: 'Story',
  PlanEstimate: 5.5,
  Owner: OWNER_BOB,
  Tags: [
    { ObjectUUID: 't2', Name: 'b (renamed)' },
    { ObjectUUID: 't3', Name: 'c' },
  ],
  Blocked: false,
  CreationDate: '2024-05-01T10:00:00Z',
};

describe('attributeId', () => {
  it('is a UUIDv5 of the normalised type and the attribute name in a fixed namespace', () => {
    expect(attributeId(TYPE, 'Name')).toBe(
      uuidv5(JSON.stringify(['hierarchicalrequirement', 'Name']), ATTRIBUTE_ID_NAMESPACE),
    );
    expect(ATTRIBUTE_ID_NAMESPACE).toBe('450910fc-be52-49ca-9969-c2564bec4bc3');
  });

  it('is stable, and differs by type and by attribute', () => {
    expect(attributeId(TYPE, 'Name')).toBe(attributeId(TYPE, 'Name'));
    expect(attributeId('hierarchicalrequirement', 'Name')).toBe(attributeId(TYPE, 'Name'));
    expect(attributeId('PortfolioItem/Feature', 'Name')).toBe(attributeId('Feature', 'Name'));
    expect(attributeId('Defect', 'Name')).not.toBe(attributeId(TYPE, 'Name'));
    expect(attributeId(TYPE, 'name')).not.toBe(attributeId(TYPE, 'Name'));
    // No separator trick can make two pairs collide.
    expect(attributeId('a/b', 'c')).not.toBe(attributeId('a', 'b/c'));
  });
});

describe('attributeType', () => {
  it.each([
    ['s', 'String'],
    ['2024-05-01', 'Date'],
    ['2024-05-01T10:00:00.123+02:00', 'Date'],
    [new Date(0), 'Date'],
    [3, 'Integer'],
    [3.5, 'Decimal'],
    [true, 'Boolean'],
    [[1], 'Collection'],
    [{ _type: 'User', _ref: '/user/1' }, 'User'],
    [{ object_type: 'Project', id: 'p' }, 'Project'],
    [{ id: 'p' }, 'Object'],
    [null, 'Unknown'],
  ])('%p is %s', (value, type) => {
    expect(attributeType(value)).toBe(type);
  });
});

describe('diffSnapshots', () => {
  it('builds Rally-shape state from `after`, keyed by attribute id', () => {
    const { state } = diffSnapshots({ action: 'Updated', object_type: TYPE, before, after });
    expect(Object.keys(state)).toEqual(Object.keys(after).map(id));
    expect(state[id('PlanEstimate')]).toEqual({
      value: 5.5,
      type: 'Decimal',
      name: 'PlanEstimate',
      display_name: 'PlanEstimate',
      ref: null,
    });
    expect(state[id('Owner')].type).toBe('Object');
    expect(state[id('CreationDate')].type).toBe('Date');
  });

  it('records old_value for scalars and references, added/removed for collections', () => {
    const { changes } = diffSnapshots({ action: 'Updated', object_type: TYPE, before, after });
    expect(
      Object.values(changes)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['CreationDate', 'Owner', 'PlanEstimate', 'Tags']);
    // Rally seed: "For all attribute types other than Collection, the old_value field will be
    // populated, and the added and removed fields will be null."
    expect(changes[id('PlanEstimate')]).toEqual({
      value: 5.5,
      old_value: 3,
      added: null,
      removed: null,
      type: 'Decimal',
      name: 'PlanEstimate',
      display_name: 'PlanEstimate',
      ref: null,
    });
    expect(changes[id('Owner')]).toMatchObject({ added: null, removed: null });
    expect(changes[id('Owner')]).toMatchObject({ value: OWNER_BOB, old_value: OWNER_ANN });
    expect(changes[id('CreationDate')]).toMatchObject({ value: '2024-05-01T10:00:00Z', old_value: null });
    // t2 was renamed, not added or removed: collection members are identified by id.
    expect(changes[id('Tags')]).toMatchObject({
      type: 'Collection',
      old_value: null,
      added: [{ ObjectUUID: 't3', Name: 'c' }],
      removed: [{ ObjectUUID: 't1', Name: 'a' }],
    });
  });

  it('reports an attribute that was removed as changed to null, typed from its old value', () => {
    const { changes, state } = diffSnapshots({
      action: 'Updated',
      object_type: TYPE,
      before: { Notes: 'x' },
      after: {},
    });
    expect(state).toEqual({});
    expect(changes[id('Notes')]).toMatchObject({ value: null, old_value: 'x', type: 'String' });
  });

  it('treats absent and null alike, and ignores reordering of collections', () => {
    const { changes } = diffSnapshots({
      action: 'Updated',
      object_type: TYPE,
      before: { Notes: null, Tags: [1, 2] },
      after: { Tags: [2, 1] },
    });
    expect(changes).toEqual({});
  });

  it('compares nested values structurally', () => {
    const { changes } = diffSnapshots({
      action: 'Updated',
      object_type: TYPE,
      before: { Size: { w: 1, h: [2] }, At: new Date(1000) },
      after: { Size: { w: 1, h: [2] }, At: new Date(2000) },
    });
    expect(Object.values(changes).map((c) => c.name)).toEqual(['At']);
  });

  it('on Created, counts every attribute with a value as changed from nothing', () => {
    const { state, changes } = diffSnapshots({
      action: 'Created',
      object_type: TYPE,
      after: { ...after, Notes: null },
    });
    expect(Object.keys(state)).toHaveLength(7);
    expect(
      Object.values(changes)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['Blocked', 'CreationDate', 'Name', 'Owner', 'PlanEstimate', 'Tags']);
    expect(changes[id('Name')]).toMatchObject({ value: 'Story', old_value: null });
    expect(changes[id('Tags')]).toMatchObject({ added: after.Tags, removed: [] });
  });

  it.each(['Deleted', 'Recycled'] as const)('on %s, takes state from `before` and has no changes', (action) => {
    const { state, changes } = diffSnapshots({ action, object_type: TYPE, before, after: null });
    expect(Object.keys(state)).toEqual(Object.keys(before).map(id));
    expect(changes).toEqual({});
    expect(Object.keys(diffSnapshots({ action, object_type: TYPE, after }).state)).toEqual(Object.keys(after).map(id));
  });

  it('yields messages whose AttributeID expressions keep matching across messages', () => {
    const first = diffSnapshots({ action: 'Created', object_type: TYPE, after: { ScheduleState: 'Defined' } });
    const second = diffSnapshots({
      action: 'Updated',
      object_type: TYPE,
      before: { ScheduleState: 'Defined' },
      after: { ScheduleState: 'Accepted' },
    });
    const expr = { AttributeID: attributeId(TYPE, 'ScheduleState'), Operator: 'changed-to', Value: 'Accepted' };
    const asMessage = (d: ReturnType<typeof diffSnapshots>) => ({
      action: 'Updated' as const,
      object_type: TYPE,
      ...d,
    });
    expect(evaluateExpression(expr, asMessage(first)).ok).toBe(false);
    expect(evaluateExpression(expr, asMessage(second)).ok).toBe(true);
    expect(evaluateExpression({ ...expr, Operator: 'changed-from', Value: 'Defined' }, asMessage(second)).ok).toBe(
      true,
    );
  });
});
