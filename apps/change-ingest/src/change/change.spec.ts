import { attributeId } from '@hookline/matching';
import { parseChangeInput } from './dto/change-input';
import { toChangeMessage } from './change.normalizer';

const producer = { tenant: '100', subscriptionId: 100 };
const now = new Date('2026-11-24T12:00:00.000Z');

describe('parseChangeInput', () => {
  it('names every problem of an item, with its batch index', () => {
    const { problems } = parseChangeInput({ action: 'Renamed', object_type: '', state: [] }, '[3]');
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: '[3].action', reason: 'must be one of Created, Updated, Deleted, Recycled' },
        { field: '[3].object_id', reason: 'is required (a non-empty string)' },
        { field: '[3].object_type', reason: 'is required (a non-empty string)' },
        { field: '[3].message_id', reason: 'is required (a non-empty string)' },
        expect.objectContaining({ field: '[3].state' }),
      ]),
    );
  });

  it('needs `after` for a created snapshot and both snapshots for an update', () => {
    expect(
      parseChangeInput({ action: 'Created', object_type: 'Defect', object_id: 'd', before: null }, '').problems,
    ).toEqual([{ field: 'after', reason: 'is required for Created' }]);
    expect(
      parseChangeInput({ action: 'Updated', object_type: 'Defect', object_id: 'd', after: {} }, '').problems,
    ).toEqual([{ field: 'before', reason: 'is required for Updated (changes are computed from it)' }]);
  });

  it('refuses top-level fields neither form has, naming each', () => {
    const rally = { message_id: 'm', action: 'Created', object_id: 'o', object_type: 'Defect', state: {} };
    expect(parseChangeInput({ ...rally, message_version: 2, subscription_id: 9 }, '').problems).toEqual([]);
    expect(parseChangeInput({ ...rally, stat: {}, rule: {} }, '').problems).toEqual([
      { field: 'stat', reason: expect.stringMatching(/^is not a field of Rally's change message \(message_id, /) },
      { field: 'rule', reason: expect.stringMatching(/^is not a field of Rally's change message/) },
    ]);
    const snapshot = { action: 'Created', object_id: 'o', object_type: 'Defect', after: {} };
    expect(parseChangeInput({ ...snapshot, state: {} }, '[1]').problems).toEqual([
      { field: '[1].state', reason: expect.stringMatching(/^is not a field of the snapshot form \(message_id, /) },
    ]);
  });

  it('refuses ids over their length or with characters no id holds', () => {
    const snapshot = { action: 'Created', object_type: 'Defect', after: {} };
    const problems = (extra: object) => parseChangeInput({ ...snapshot, object_id: 'o', ...extra }, '').problems;
    expect(problems({ object_id: 'x'.repeat(256), message_id: 'm'.repeat(256) })).toEqual([]);
    expect(problems({ object_id: 'x'.repeat(257) })).toEqual([
      { field: 'object_id', reason: 'must be at most 256 characters' },
    ]);
    expect(problems({ object_type: 'T'.repeat(129) })).toEqual([
      { field: 'object_type', reason: 'must be at most 128 characters' },
    ]);
    expect(problems({ message_id: 'a\r\nb' })).toEqual([
      { field: 'message_id', reason: 'must be printable ASCII when given' },
    ]);
    expect(problems({ object_type: 'De\u0000fect' })).toEqual([
      { field: 'object_type', reason: 'must not contain control characters' },
    ]);
    expect(problems({ object_id: 'Störung 42' })).toEqual([]);
  });

  it('refuses something that is not an object', () => {
    expect(parseChangeInput('hello', '[0]').problems).toEqual([{ field: '[0]', reason: 'must be a JSON object' }]);
  });
});

describe('toChangeMessage', () => {
  it('computes old_value for scalars and added/removed for collections from snapshots (Rally seed)', () => {
    const { change } = parseChangeInput(
      {
        message_id: 'm-1',
        action: 'Updated',
        object_type: 'Defect',
        object_id: 'd-1',
        before: { Name: 'Crash', Severity: 'Minor', Tags: ['ui', 'old'] },
        after: { Name: 'Crash', Severity: 'Major', Tags: ['ui', 'new'] },
        user: 'ann@example.com',
      },
      '',
    );
    const message = toChangeMessage(change!, producer, now);
    const severity = attributeId('Defect', 'Severity');
    const tags = attributeId('Defect', 'Tags');
    expect(message).toMatchObject({
      message_id: 'm-1',
      message_version: 2,
      subscription_id: 100,
      tenant: '100',
      action: 'Updated',
      transaction: { timestamp: now.getTime(), user: { username: 'ann@example.com' } },
      ingested_at: now.toISOString(),
    });
    expect(message.changes[severity]).toMatchObject({ name: 'Severity', value: 'Major', old_value: 'Minor' });
    expect(message.changes[tags]).toMatchObject({ name: 'Tags', added: ['new'], removed: ['old'] });
    expect(Object.keys(message.changes)).toHaveLength(2);
    expect(message.state[attributeId('Defect', 'Name')]).toMatchObject({
      value: 'Crash',
      name: 'Name',
      display_name: 'Name',
    });
  });

  it('keeps Rally attribute ids and gives name-keyed attributes their stable id', () => {
    const uuid = '500a0d67-9c48-4145-920c-821033e4a832';
    const { change } = parseChangeInput(
      {
        message_id: 'm-2',
        action: 'Created',
        object_type: 'HierarchicalRequirement',
        object_id: 's-1',
        state: { [uuid]: { value: 'My Cool Story', type: 'String', name: 'Name' }, PlanEstimate: { value: 8 } },
      },
      '',
    );
    const message = toChangeMessage(change!, producer, now);
    expect(Object.keys(message.state).sort()).toEqual(
      [uuid, attributeId('HierarchicalRequirement', 'PlanEstimate')].sort(),
    );
    expect(message.state[attributeId('HierarchicalRequirement', 'PlanEstimate')]).toMatchObject({
      name: 'PlanEstimate',
      value: 8,
      ref: null,
    });
  });
});
