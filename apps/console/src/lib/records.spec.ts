import { parseRecord } from './records';

describe('sample records', () => {
  it('reads a sample record as a JSON object, blank as none, and says what is wrong otherwise', () => {
    expect(parseRecord(' {"Priority": "High"} ')).toEqual({ Priority: 'High' });
    expect(parseRecord('  ')).toBeNull();
    expect(() => parseRecord('{Priority: High}')).toThrow('Not JSON');
    expect(() => parseRecord('[1]')).toThrow('Must be a JSON object');
  });
});
