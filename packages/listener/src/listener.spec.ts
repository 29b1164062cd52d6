import { backoffDelay, formatEvent, tunnelUrl } from './listener';

describe('backoffDelay', () => {
  const backoff = { initialMs: 500, maxMs: 30_000 };

  it('doubles its ceiling per attempt, with jitter in the upper half', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, backoff, () => 0))).toEqual([250, 500, 1000, 2000]);
  });

  it('stops growing at the maximum, however many attempts', () => {
    expect(backoffDelay(10, backoff, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, backoff, () => 1)).toBe(30_000);
  });
});

describe('tunnelUrl', () => {
  it('appends the shared space path to the gateway URL', () => {
    expect(tunnelUrl('ws://127.0.0.1:8086', '1001')).toBe('ws://127.0.0.1:8086/messaging/shared_spaces/1001/webhooks');
    expect(tunnelUrl('https://gw.example/', 'a b')).toBe('wss://gw.example/messaging/shared_spaces/a%20b/webhooks');
  });
});

describe('formatEvent', () => {
  it('prints time, webhook, status and latency for a delivery', () => {
    expect(
      formatEvent({
        kind: 'delivery',
        at: new Date('2026-01-02T03:04:05.000Z'),
        id: 'd-1',
        webhookId: 'wh-1',
        status: 200,
        latencyMs: 12,
      }),
    ).toBe('2026-01-02T03:04:05.000Z  webhook wh-1  delivery d-1  200  12 ms');
  });
});
