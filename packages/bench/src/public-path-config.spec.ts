import { ConfigError } from './bench-env';
import { readPublicPathConfig } from './public-path-config';

describe('readPublicPathConfig', () => {
  it('takes the defaults when no knob is set', () => {
    const config = readPublicPathConfig({});
    expect(config).toMatchObject({ rounds: 3, pacedSeconds: 30, idleSeconds: 60, maxDeliveries: 10_000, batch: 100 });
    expect([...config.runs]).toEqual(['max', 'batch', 'paced', 'idle']);
  });

  it('reads the knobs of the quick check', () => {
    const config = readPublicPathConfig({
      BENCH_ROUNDS: '1',
      BENCH_PACED_SECONDS: '5',
      BENCH_IDLE_SECONDS: '10',
      BENCH_MAX_DELIVERIES: '3000',
      BENCH_RUNS: 'max,idle',
    });
    expect(config).toMatchObject({ rounds: 1, pacedSeconds: 5, idleSeconds: 10, maxDeliveries: 3_000 });
    expect([...config.runs]).toEqual(['max', 'idle']);
  });

  it.each([
    ['BENCH_ROUNDS', 'three', 'BENCH_ROUNDS must be a positive whole number (got three)'],
    ['BENCH_IDLE_SECONDS', '-1', 'BENCH_IDLE_SECONDS must be a positive number (got -1)'],
    ['BENCH_BATCH', '2.5', 'BENCH_BATCH must be a positive whole number (got 2.5)'],
    ['BENCH_RUNS', 'max,warm', 'BENCH_RUNS must list some of max, batch, paced, idle (got max,warm)'],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => readPublicPathConfig({ [name]: value })).toThrow(new ConfigError(message));
  });
});
