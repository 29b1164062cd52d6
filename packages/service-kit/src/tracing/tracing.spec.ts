import type { BaseServiceConfig } from '../config/config';
import { startSdk } from './otel-sdk';
import { tracingOn } from './trace-context';
import { Tracing } from './tracing';

jest.mock('./otel-sdk', () => ({ startSdk: jest.fn(() => ({ shutdown: jest.fn(async () => undefined) })) }));

const config = (settings: Partial<BaseServiceConfig>): BaseServiceConfig =>
  ({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: 5000,
    OTEL_TRACES_SAMPLER_ARG: 1,
    ...settings,
  }) as BaseServiceConfig;

describe('Tracing', () => {
  beforeEach(() => jest.mocked(startSdk).mockClear());

  it('starts no SDK and stays off without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const tracing = Tracing.start('matcher', config({}));
    expect(tracing.enabled).toBe(false);
    expect(tracingOn()).toBe(false);
    expect(startSdk).not.toHaveBeenCalled();
    await tracing.onApplicationShutdown();
  });

  it('starts the SDK from the validated settings, and stops it with the application', async () => {
    const tracing = Tracing.start(
      'dispatcher',
      config({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: 250,
        OTEL_TRACES_SAMPLER_ARG: 0.5,
        SERVICE_VERSION: '1.2.3',
      }),
    );
    expect(tracing.enabled).toBe(true);
    expect(tracingOn()).toBe(true);
    expect(startSdk).toHaveBeenCalledWith(
      expect.objectContaining({
        service: 'dispatcher',
        version: '1.2.3',
        endpoint: 'http://127.0.0.1:4318',
        protocol: 'http/json',
        scheduleDelayMs: 250,
        sampleRatio: 0.5,
      }),
    );
    const sdk = jest.mocked(startSdk).mock.results[0].value as { shutdown: jest.Mock };
    await tracing.onApplicationShutdown();
    expect(sdk.shutdown).toHaveBeenCalled();
    expect(tracingOn()).toBe(false);
  });
});
