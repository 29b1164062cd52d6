import { ApiError, UnreachableError } from './api';
import { describeError, EXIT, table } from './format';
import { attemptsTable } from './program';

describe('table', () => {
  it('aligns columns under their headers and shows missing values as -', () => {
    const rows = [
      { id: 'a', name: 'short', status: 200 },
      { id: 'bbbb', name: null, status: 503 },
    ];
    expect(
      table(rows, [
        { header: 'ID', value: (r) => r.id },
        { header: 'NAME', value: (r) => r.name },
        { header: 'STATUS', value: (r) => r.status },
      ]),
    ).toBe('ID    NAME   STATUS\na     short  200\nbbbb  -      503\n');
  });

  it('says so when there are no rows', () => {
    expect(table([], [{ header: 'ID', value: () => 1 }], 'No webhooks.')).toBe('No webhooks.\n');
  });

  it('shows attempts as time, delivery, attempt, outcome, status, latency and error', () => {
    const text = attemptsTable([
      {
        DeliveryID: 'm1:w1',
        Attempt: 2,
        Time: '2026-01-01T00:00:00.000Z',
        Outcome: 'failed',
        Status: 503,
        LatencyMs: 12,
        Error: 'HTTP 503',
      },
    ]);
    expect(text.split('\n')[0].split(/\s{2,}/)).toEqual([
      'TIME',
      'DELIVERY',
      'ATTEMPT',
      'OUTCOME',
      'STATUS',
      'LATENCY',
      'ERROR',
    ]);
    expect(text.split('\n')[1].split(/\s{2,}/)).toEqual([
      '2026-01-01T00:00:00.000Z',
      'm1:w1',
      '2',
      'failed',
      '503',
      '12 ms',
      'HTTP 503',
    ]);
  });
});

describe('describeError', () => {
  it('shows the API error with each field and reason', () => {
    const err = new ApiError(
      400,
      {
        error: 'VALIDATION_FAILED',
        message: 'The request is invalid',
        details: [{ field: 'TargetUrl', reason: 'TargetUrl must be an absolute http or https URL' }],
      },
      'http://h/api/v2/webhook',
    );
    expect(describeError(err)).toEqual({
      text: 'VALIDATION_FAILED: The request is invalid (400)\n  TargetUrl: TargetUrl must be an absolute http or https URL',
      code: EXIT.api,
    });
  });

  it('sends a 401 to hookline login', () => {
    const err = new ApiError(401, { error: 'UNAUTHENTICATED', message: 'no key', details: [] }, 'http://h/x');
    const { text, code } = describeError(err);
    expect(text).toContain('hookline login');
    expect(code).toBe(EXIT.auth);
  });

  it('sends a refused connection to ./hookline up or --url', () => {
    const { text, code } = describeError(new UnreachableError('http://127.0.0.1:8080', 'ECONNREFUSED'));
    expect(text).toBe(
      'cannot reach http://127.0.0.1:8080: ECONNREFUSED\nIs the stack running? Start it with `./hookline up`, or point the CLI elsewhere with --url or HOOKLINE_URL.',
    );
    expect(code).toBe(EXIT.unavailable);
  });
});
