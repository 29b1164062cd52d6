import { Logger, type ArgumentsHost } from '@nestjs/common';
import { GlobalExceptionFilter, isDependencyUnavailable } from './global-exception.filter';

/** What the filter writes for one exception, through a stand-in express response. */
function answer(exception: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const written = { status: 0, body: {} as Record<string, unknown>, headers: {} as Record<string, string> };
  const response = {
    setHeader: (name: string, value: string) => (written.headers[name] = value),
    status(code: number) {
      written.status = code;
      return this;
    },
    json: (body: Record<string, unknown>) => (written.body = body),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new GlobalExceptionFilter().catch(exception, host);
  return written;
}

const named = (name: string, message = 'x'): Error => Object.assign(new Error(message), { name });

describe('GlobalExceptionFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers 503 with Retry-After when MongoDB or NATS cannot be reached', () => {
    for (const err of [
      named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017'),
      named('MongoNetworkError'),
      named('MongooseError', 'Operation `webhooks.findOne()` buffering timed out after 10000ms'),
      named('TimeoutError', 'timeout'),
    ]) {
      const { status, body, headers } = answer(err);
      expect(status).toBe(503);
      expect(body).toMatchObject({ error: 'UNAVAILABLE', details: [] });
      expect(headers['Retry-After']).toBe('2');
    }
  });

  it('keeps other unexpected errors an opaque 500', () => {
    expect(isDependencyUnavailable(named('MongooseError', 'Cast to ObjectId failed'))).toBe(false);
    const { status, body } = answer(new TypeError('undefined is not a function'));
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: 'INTERNAL', message: 'Internal error' });
  });
});
