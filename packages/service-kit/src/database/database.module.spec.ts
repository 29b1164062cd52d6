import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { MetricsService } from '../metrics/metrics.service';
import { MonitorWatchdog } from './database.module';

/** A stand-in for mongoose's connection: a client that emits SDAM events, with one server's monitor inside. */
function fakeConnection() {
  const monitor = { close: jest.fn(), connect: jest.fn() };
  const client = Object.assign(new EventEmitter(), {
    topology: { s: { servers: new Map([['127.0.0.1:27017', { monitor }]]) } },
  });
  return { monitor, client, connection: { getClient: () => client } as unknown as Connection };
}

describe('MonitorWatchdog', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('restarts the monitor of a server whose check never finished', async () => {
    const { monitor, client, connection } = fakeConnection();
    const watchdog = new MonitorWatchdog(connection, new MetricsService('test'));
    client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:27017' });
    await jest.advanceTimersByTimeAsync(25_000);
    expect(monitor.close).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(monitor.close).toHaveBeenCalledTimes(1);
    expect(monitor.connect).toHaveBeenCalledTimes(1);
    await watchdog.stop();
  });

  it('leaves alone checks that finish, failed or not', async () => {
    const { monitor, client, connection } = fakeConnection();
    const watchdog = new MonitorWatchdog(connection, new MetricsService('test'));
    for (let i = 0; i < 10; i++) {
      client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:27017' });
      await jest.advanceTimersByTimeAsync(9_000);
      client.emit(i % 2 ? 'serverHeartbeatFailed' : 'serverHeartbeatSucceeded', { connectionId: '127.0.0.1:27017' });
    }
    await jest.advanceTimersByTimeAsync(60_000);
    expect(monitor.close).not.toHaveBeenCalled();
    await watchdog.stop();
  });
});
