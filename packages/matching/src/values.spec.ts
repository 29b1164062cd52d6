import { compareValues, deepEqual, describeValue, isoDateMillis, valueEquals } from './values';

describe('isoDateMillis', () => {
  it('parses ISO dates and date-times only', () => {
    expect(isoDateMillis('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(isoDateMillis('2024-05-01T10:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 8));
    expect(isoDateMillis('2024-13-45')).toBeUndefined();
    expect(isoDateMillis('May 1, 2024')).toBeUndefined();
    expect(isoDateMillis('20240501')).toBeUndefined();
    expect(isoDateMillis(1714557600000)).toBeUndefined();
  });
});

describe('compareValues', () => {
  it('orders numbers, numeric strings against numbers, dates and strings', () => {
    expect(compareValues(2, 10)).toBe(-1);
    expect(compareValues('10', 9)).toBe(1);
    expect(compareValues(' 3 ', 3)).toBe(0);
    expect(compareValues('2024-05-01T00:00:00Z', '2024-04-30T23:00:00-02:00')).toBe(-1);
    expect(compareValues('b', 'a')).toBe(1);
    // Two numeric strings are strings: no guessing when neither side is a number.
    expect(compareValues('10', '9')).toBe(-1);
  });

  it('refuses what cannot be ordered', () => {
    expect(compareValues(1, 'x')).toBeUndefined();
    expect(compareValues(Number.NaN, 1)).toBeUndefined();
    expect(compareValues(null, 1)).toBeUndefined();
    expect(compareValues(true, false)).toBeUndefined();
    expect(compareValues({ name: 'a' }, 'a')).toBeUndefined();
    expect(compareValues([1], 1)).toBeUndefined();
  });
});

describe('valueEquals', () => {
  it('compares references to references by identity', () => {
    expect(valueEquals({ id: 'a', name: 'x' }, { id: 'a', name: 'y' })).toBe(true);
    expect(valueEquals({ id: 'a' }, { id: 'b' })).toBe(false);
    expect(valueEquals({ k: 1 }, { k: 1 })).toBe(true);
    expect(valueEquals({ k: 1 }, { k: 2 })).toBe(false);
  });

  it('never matches a reference against a boolean or null', () => {
    expect(valueEquals({ id: 'true' }, true)).toBe(false);
    expect(valueEquals({ id: 'a' }, null)).toBe(false);
    expect(valueEquals(null, undefined)).toBe(true);
  });
});

describe('deepEqual', () => {
  it('compares JSON values and dates structurally', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(deepEqual({ a: 1 }, { b: 1 })).toBe(false);
    expect(deepEqual({ a: undefined }, {})).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(new Date(5), new Date(5))).toBe(true);
    expect(deepEqual(new Date(5), new Date(6))).toBe(false);
    expect(deepEqual(new Date(5), {})).toBe(false);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual(null, {})).toBe(false);
  });
});

describe('describeValue', () => {
  it('keeps reasons short and readable', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(57)}..."`);
    expect(describeValue([1, 2, 3, 4, 5, 6])).toBe('[6 items]');
    expect(describeValue({ name: 'Defined', id: 's1' })).toBe('"Defined" (s1)');
    expect(describeValue({ id: 's1' })).toBe('s1');
    expect(describeValue({ name: 'n' })).toBe('"n"');
    expect(describeValue({ k: 1 })).toBe('an object');
    expect(describeValue(undefined)).toBe('missing');
    expect(describeValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
