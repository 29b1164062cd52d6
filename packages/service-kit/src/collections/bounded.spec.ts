import { BoundedMap, BoundedSet } from './bounded';

describe('BoundedMap and BoundedSet', () => {
  it('forget the oldest entry beyond their size; setting a key again makes it the newest', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
    const set = new BoundedSet<string>(2);
    set.add('a').add('b').add('c');
    expect([...set]).toEqual(['b', 'c']);
  });
});
