import { IsBoolean, IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { BaseServiceConfig, ConfigError, EnvBoolean, loadConfig } from './config';

class ExampleConfig extends BaseServiceConfig {
  override PORT = 9000;

  @IsString()
  @IsNotEmpty()
  NATS_URL: string;

  /** Declared only by its initializer: it has no reflected type, so conversion follows the default. */
  @IsInt()
  @Min(1)
  RETRY_DELAY_MS = 500;

  @IsBoolean()
  ALLOW_HTTP = false;

  @EnvBoolean()
  @IsBoolean()
  FEATURE_FLAG: boolean;
}

const load = (env: Record<string, string>) => loadConfig('example', ExampleConfig, env);

describe('loadConfig', () => {
  it('applies defaults and converts values to the type of the default', () => {
    const config = load({
      NATS_URL: 'nats://x',
      RETRY_DELAY_MS: '250',
      ALLOW_HTTP: 'yes',
      FEATURE_FLAG: 'off',
      UNRELATED: '1',
    });
    expect(config).toMatchObject({
      PORT: 9000,
      NATS_URL: 'nats://x',
      RETRY_DELAY_MS: 250,
      ALLOW_HTTP: true,
      FEATURE_FLAG: false,
    });
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('treats an empty value as unset', () => {
    expect(load({ NATS_URL: 'n', FEATURE_FLAG: 'true', RETRY_DELAY_MS: '' }).RETRY_DELAY_MS).toBe(500);
  });

  it('names every missing or wrong setting in one error', () => {
    let error: unknown;
    try {
      load({ RETRY_DELAY_MS: 'soon', ALLOW_HTTP: 'maybe', PORT: '70000', FEATURE_FLAG: 'true' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^example: invalid configuration: /);
    expect(message).toContain('NATS_URL is required');
    expect(message).toContain('RETRY_DELAY_MS: RETRY_DELAY_MS must be an integer number');
    expect(message).toContain('ALLOW_HTTP: ALLOW_HTTP must be a boolean value');
    expect(message).toContain('PORT: PORT must not be greater than 65535');
  });

  it('believes X-Forwarded-For from loopback by default, from the peers HTTP_TRUST_PROXY names, and refuses nonsense', () => {
    const base = { NATS_URL: 'n', FEATURE_FLAG: 'true' };
    expect(load(base).HTTP_TRUST_PROXY).toBe('loopback');
    expect(load({ ...base, HTTP_TRUST_PROXY: 'loopback, uniquelocal, 10.0.0.0/8' }).HTTP_TRUST_PROXY).toBe(
      'loopback, uniquelocal, 10.0.0.0/8',
    );
    expect(load({ ...base, HTTP_TRUST_PROXY: 'false' }).HTTP_TRUST_PROXY).toBe('false');
    expect(() => load({ ...base, HTTP_TRUST_PROXY: 'everyone' })).toThrow(/HTTP_TRUST_PROXY/);
  });

  it('reads the tracing settings: off by default, a wrong one named', () => {
    const base = { NATS_URL: 'n', FEATURE_FLAG: 'true' };
    expect(load(base)).toMatchObject({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: 5000,
      OTEL_TRACES_SAMPLER_ARG: 1,
    });
    expect(load(base).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(
      load({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: 100,
      OTEL_TRACES_SAMPLER_ARG: 0.25,
    });
    const wrong = () =>
      load({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
    expect(wrong).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_EXPORTER_OTLP_ENDPOINT must be a URL address/);
    expect(wrong).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: OTEL_EXPORTER_OTLP_PROTOCOL must be one of/);
    expect(wrong).toThrow(/OTEL_TRACES_SAMPLER_ARG: OTEL_TRACES_SAMPLER_ARG must not be greater than 1/);
  });
});
