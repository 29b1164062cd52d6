import { coerce, extractVariables, parsePath, valueAt, type VariableDefinition } from './variables';

const variable = (over: Partial<VariableDefinition>): VariableDefinition => ({
  name: 'v',
  path: 'v',
  type: 'string',
  required: false,
  default_value: null,
  ...over,
});

describe('variable paths', () => {
  it('read dots and array indexes in both spellings', () => {
    expect(parsePath('pull_request.head.ref')).toEqual(['pull_request', 'head', 'ref']);
    expect(parsePath('commits[0].id')).toEqual(['commits', 0, 'id']);
    expect(parsePath('matrix[1][2]')).toEqual(['matrix', 1, 2]);
    expect(parsePath('a..b')).toBeUndefined();
    expect(parsePath('a[x]')).toBeUndefined();
    const payload = { commits: [{ id: 'c0' }, { id: 'c1' }], map: { '0': 'zero' } };
    expect(valueAt(payload, parsePath('commits[1].id')!)).toBe('c1');
    expect(valueAt(payload, parsePath('commits.1.id')!)).toBe('c1');
    expect(valueAt(payload, parsePath('map[0]')!)).toBe('zero');
    expect(valueAt(payload, parsePath('commits[5].id')!)).toBeUndefined();
    expect(valueAt(payload, parsePath('commits.length')!)).toBeUndefined();
    expect(valueAt({ a: 'text' }, parsePath('a.b')!)).toBeUndefined();
  });
});

describe('coercion', () => {
  it.each([
    ['string', 42, '42'],
    ['string', true, 'true'],
    ['integer', '17', 17],
    ['integer', -3, -3],
    ['number', '2.5', 2.5],
    ['boolean', 'FALSE', false],
    ['boolean', 1, true],
  ] as const)('%s from %j', (type, input, output) => {
    expect(coerce(input, type)).toEqual({ ok: true, value: output });
  });

  it.each([
    ['integer', 2.5],
    ['integer', '1e3'],
    ['integer', 2 ** 60],
    ['number', 'half'],
    ['number', ''],
    ['boolean', 'yes'],
    ['string', { a: 1 }],
    ['string', [1]],
  ] as const)('refuses %s from %j', (type, input) => {
    expect(coerce(input, type).ok).toBe(false);
  });
});

describe('extraction', () => {
  it('uses defaults for missing values, leaves out optional ones, and names every problem', () => {
    const defs = [
      variable({ name: 'a', path: 'x.a', default_value: 'dflt' }),
      variable({ name: 'b', path: 'x.b' }),
      variable({ name: 'c', path: null, default_value: 'fixed' }),
      variable({ name: 'n', path: 'x.n', type: 'integer', required: true }),
    ];
    expect(extractVariables(defs, { x: { a: null, n: '5' } })).toEqual({
      ok: true,
      variables: { a: 'dflt', c: 'fixed', n: 5 },
    });
    const failed = extractVariables([...defs, variable({ name: 'm', path: 'x.m', type: 'number', required: true })], {
      x: { n: 'five' },
    });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.problems.map((p) => p.variable)).toEqual(['n', 'm']);
  });
});
