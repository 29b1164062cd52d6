import {
  failureRate,
  formatLatency,
  formatRate,
  formatRatio,
  formatTime,
  orderParam,
  pageCount,
  prettyBody,
  startOf,
} from './format';

describe('console formatting', () => {
  it('shows recent times relative and older ones as UTC', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(formatTime('2026-01-01T11:59:30Z', now)).toBe('30 s ago');
    expect(formatTime('2026-01-01T11:50:00Z', now)).toBe('10 min ago');
    expect(formatTime('2025-12-31T08:00:00Z', now)).toBe('2025-12-31 08:00:00');
    expect(formatTime(null, now)).toBe('—');
  });

  it('formats latency and failure rate', () => {
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1500)).toBe('1.50 s');
    expect(failureRate(8, 1)).toBe('12.5 %');
    expect(failureRate(null, null)).toBe('—');
  });

  it("maps table paging and sorting to Rally's start and order", () => {
    expect(startOf(3, 20)).toBe(41);
    expect(pageCount(41, 20)).toBe(3);
    expect(pageCount(0, 20)).toBe(1);
    expect(orderParam('Name', true)).toBe('Name desc');
    expect(orderParam('Name', false)).toBe('Name');
  });

  it('indents a JSON body and leaves a cut or non-JSON one as it is', () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyBody('{"a":')).toBe('{"a":');
    expect(prettyBody('thanks')).toBe('thanks');
  });

  it('formats ratios and rates', () => {
    expect(formatRatio(2 / 3)).toBe('66.7 %');
    expect(formatRatio(null)).toBe('—');
    expect(formatRate(0)).toBe('0 /s');
    expect(formatRate(1 / 3600)).toBe('0.00028 /s');
    expect(formatRate(2.5)).toBe('2.5 /s');
    expect(formatRate(123.4)).toBe('123 /s');
  });
});
