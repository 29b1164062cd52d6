import { ConfigError } from '../bench-env';
import { readConfig } from './config';

describe('readConfig', () => {
  it('takes the defaults when no knob is set', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ tenants: 1_000, rounds: 3, pacedSeconds: 30, trace: false, withoutRegistry: false });
    expect(config.fixedRawMax).toBeUndefined();
    expect([...config.runs]).toEqual(['max1', 'paced1', 'max10', 'paced10', 'bad']);
    expect(config.bad).toEqual([
      { kinds: ['dead'], label: 'dead' },
      { kinds: ['hang'], label: 'hanging' },
    ]);
  });

  it('reads the knobs', () => {
    const config = readConfig({
      BENCH_RAW_MAX: '8000.5',
      BENCH_ROUNDS: '1',
      BENCH_PACED_SECONDS: '5',
      BENCH_TENANTS: '100',
      BENCH_RUNS: 'max1,bad',
      BENCH_BAD: 'hang+dead',
      BENCH_TRACE: '1',
    });
    expect(config).toMatchObject({ fixedRawMax: 8000.5, rounds: 1, pacedSeconds: 5, tenants: 100, trace: true });
    expect([...config.runs]).toEqual(['max1', 'bad']);
    expect(config.bad).toEqual([{ kinds: ['hang', 'dead'], label: 'bad (one hangs, one dead)' }]);
  });

  it.each([
    ['BENCH_BAD', 'foo', 'BENCH_BAD must list dead, hang or hang+dead (got foo)'],
    ['BENCH_RAW_MAX', 'fast', 'BENCH_RAW_MAX must be a positive number (got fast)'],
    ['BENCH_ROUNDS', '1.5', 'BENCH_ROUNDS must be a positive whole number (got 1.5)'],
    ['BENCH_TENANTS', '0', 'BENCH_TENANTS must be a positive whole number (got 0)'],
    ['BENCH_RUNS', 'max1,paced2', 'BENCH_RUNS must list some of max1, paced1, max10, paced10, bad (got max1,paced2)'],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(new ConfigError(message));
  });
});
