import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
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

  it('restarts the monitor of a server whose check never finished', () => {
    const { monitor, client, connection } = fakeConnection();
    const watchdog = new MonitorWatchdog(connection);
    client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:27017' });
    jest.advanceTimersByTime(25_000);
    expect(monitor.close).not.toHaveBeenCalled();
    jest.advanceTimersByTime(10_000);
    expect(monitor.close).toHaveBeenCalledTimes(1);
    expect(monitor.connect).toHaveBeenCalledTimes(1);
    watchdog.stop();
  });

  it('leaves alone checks that finish, failed or not', () => {
    const { monitor, client, connection } = fakeConnection();
    const watchdog = new MonitorWatchdog(connection);
    for (let i = 0; i < 10; i++) {
      client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:27017' });
      jest.advanceTimersByTime(9_000);
      client.emit(i % 2 ? 'serverHeartbeatFailed' : 'serverHeartbeatSucceeded', { connectionId: '127.0.0.1:27017' });
    }
    jest.advanceTimersByTime(60_000);
    expect(monitor.close).not.toHaveBeenCalled();
    watchdog.stop();
  });
});
