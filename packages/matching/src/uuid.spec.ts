import { uuidv5 } from './uuid';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidv5', () => {
  it('matches published test vectors', () => {
    expect(uuidv5('www.example.com', DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidv5('python.org', DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidv5('http://python.org/', URL_NS)).toBe('4c565f0d-3f5a-5890-b41b-20cf47701c5e');
  });

  it('sets version 5 and the RFC variant', () => {
    const id = uuidv5('anything', DNS);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('hashes names as UTF-8', () => {
    expect(uuidv5('é', DNS)).not.toBe(uuidv5('e', DNS));
    expect(uuidv5('é', DNS)).toBe(uuidv5('\u00e9', DNS.toUpperCase()));
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidv5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});
