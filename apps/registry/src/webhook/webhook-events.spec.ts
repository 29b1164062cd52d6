import type { JetStreamPublisher } from '@hookline/messaging';
import { MetricsService } from '@hookline/service-kit';
import type { RegistryConfig } from '../config/registry.config';
import { WebhookEvents } from './webhook-events';
import type { WebhookRepository } from './webhook.repository';
import type { WebhookRecord } from './webhook.schema';

const INTERVAL = 5_000;
const SWEEP = 300_000;

/** The relay over a database that answers `scan` to each look for pending changes, and NATS refusing every publish. */
function relayWith(scan: () => Promise<never[]>) {
  const looks = jest.fn(scan);
  const webhooks = { pendingEventsOfAllSubscriptions: looks } as unknown as WebhookRepository;
  const config = { EVENT_OUTBOX_INTERVAL_MS: INTERVAL, EVENT_OUTBOX_SWEEP_MS: SWEEP } as RegistryConfig;
  const nats = { publish: () => Promise.reject(new Error('503 no responders')) } as unknown as JetStreamPublisher;
  const events = new WebhookEvents(webhooks, nats, config, new MetricsService('test'));
  return { events, looks };
}

/** A deletion whose event is still to be published. */
const deleted = {
  _id: 'wh_1',
  SubscriptionID: 100,
  PendingEvent: { Kind: 'deleted', ObjectVersion: 3 },
} as WebhookRecord;

describe('the event relay looks for pending changes only when some may be left', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('looks once an interval after a start, then not again before the sweep', async () => {
    const { events, looks } = relayWith(() => Promise.resolve([]));
    events.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(looks).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(SWEEP - 2 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(2);
    await events.onApplicationShutdown();
  });

  it('looks again once an interval after a publish failed, then not before the sweep', async () => {
    const { events, looks } = relayWith(() => Promise.resolve([]));
    events.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(6 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(1);
    expect(await events.publish(deleted)).toBe(false);
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(2);
    await events.onApplicationShutdown();
  });

  it('looks again at the next interval after a look failed, until one succeeds', async () => {
    let answers = 0;
    const { events, looks } = relayWith(() =>
      ++answers <= 2 ? Promise.reject(new Error('server selection timed out')) : Promise.resolve([]),
    );
    events.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(looks).toHaveBeenCalledTimes(3);
    await events.onApplicationShutdown();
  });
});
