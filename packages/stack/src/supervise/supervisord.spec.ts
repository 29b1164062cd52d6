import { parseInstances, StackError } from './control';
import { stackPrograms, type StackSettings } from './programs';
import { parseStatus, renderSupervisordConfig, restartCounts } from './supervisord';

const settings = (instances: Record<string, number> = {}): StackSettings => ({
  root: '/repo',
  state: '/state',
  env: { NATS_URL: 'nats://10.0.0.1:4222', MONGO_URL: 'mongodb://10.0.0.2:27017', DISPATCHER_PORT: '9184' },
  adminKey: 'hk_admin_abc',
  encryptionKey: 'a%b"c',
  instances,
});

describe('the programs of ./hookline up', () => {
  it('runs no server of its own for NATS_URL and MONGO_URL, and gives each instance its own port', () => {
    const programs = stackPrograms(settings({ dispatcher: 3 }));
    expect(programs.map((p) => p.name)).toEqual([
      'registry',
      'change-ingest',
      'matcher',
      'dispatcher',
      'dispatcher-2',
      'dispatcher-3',
      'incoming-hooks',
      'tunnel-gateway',
      'front-door',
    ]);
    const dispatchers = programs.filter((p) => p.service === 'dispatcher');
    expect(dispatchers.map((p) => p.env.PORT)).toEqual(['9184', '9194', '9204']);
    expect(dispatchers[0].env).toMatchObject({
      NATS_URL: 'nats://10.0.0.1:4222',
      MONGO_URL: 'mongodb://10.0.0.2:27017/hookline',
    });
  });

  it('puts the front door on HOOKLINE_PORT, balancing over every instance of a service', () => {
    const programs = stackPrograms({
      ...settings({ dispatcher: 2 }),
      env: { ...settings().env, HOOKLINE_PORT: '9180' },
    });
    const frontDoor = programs.find((p) => p.name === 'front-door')!;
    expect(frontDoor.ready).toEqual({ kind: 'tcp', port: 9180 });
    const caddy = JSON.stringify(JSON.parse(frontDoor.files![0].content));
    expect(caddy).toContain('"listen":["127.0.0.1:9180"]');
    expect(caddy).toContain('"upstreams":[{"dial":"127.0.0.1:9184"},{"dial":"127.0.0.1:9194"}]');
    expect(programs.find((p) => p.name === 'registry')!.env.PUBLIC_BASE_URL).toBe('http://127.0.0.1:9180');
  });

  it('parses --instances and refuses unknown services and counts out of range', () => {
    expect(parseInstances('dispatcher=2, matcher=3')).toEqual({ dispatcher: 2, matcher: 3 });
    expect(() => parseInstances('dispatcher')).toThrow(StackError);
    expect(() => parseInstances('dispatchr=2')).toThrow(/no service "dispatchr"/);
    expect(() => parseInstances('matcher=10')).toThrow(/1 to 9/);
  });
});

describe('supervisord config and output', () => {
  it('writes one program section each, escaping % and quotes the way supervisord reads them', () => {
    const config = renderSupervisordConfig('/state', stackPrograms(settings()));
    expect(config).toContain('[program:dispatcher]');
    expect(config).toContain('stdout_logfile=/state/logs/dispatcher.log');
    expect(config).toContain('HOOKLINE_ENCRYPTION_KEY="a%%b\\"c"');
    expect(config).toMatch(/\[program:registry\][^[]*startretries=3/);
    // supervisord gives up only on programs that die within startsecs; the listener on the rest.
    expect(config).toMatch(/\[eventlistener:crash-loop\]\ncommand=\S+ \S+crash-loop-listener\.js \/state 5 600\n/);
    expect(config).toContain('events=PROCESS_STATE_EXITED');
  });

  it('reads supervisorctl status lines, running or not', () => {
    expect(
      parseStatus(
        [
          'nats                             RUNNING   pid 4242, uptime 1 day, 0:01:02',
          'dispatcher                       FATAL     Exited too quickly (process log may have details)',
          'matcher                          STARTING  ',
        ].join('\n'),
      ),
    ).toEqual([
      {
        name: 'nats',
        state: 'RUNNING',
        pid: 4242,
        uptime: '1 day, 0:01:02',
        description: 'pid 4242, uptime 1 day, 0:01:02',
      },
      { name: 'dispatcher', state: 'FATAL', description: 'Exited too quickly (process log may have details)' },
      { name: 'matcher', state: 'STARTING', description: '' },
    ]);
  });

  it('counts restarts since supervisord last started', () => {
    const log = [
      '2026-12-07 04:41:45,307 INFO supervisord started with pid 1',
      "2026-12-07 04:41:46,027 INFO spawned: 'dispatcher' with pid 10",
      "2026-12-07 04:41:47,027 INFO spawned: 'dispatcher' with pid 11",
      '2026-12-07 05:00:00,000 INFO supervisord started with pid 2',
      "2026-12-07 05:00:01,000 INFO spawned: 'dispatcher' with pid 20",
      "2026-12-07 05:00:01,000 INFO spawned: 'matcher' with pid 21",
      "2026-12-07 05:00:09,000 INFO exited: 'dispatcher' (terminated by SIGKILL; not expected)",
      "2026-12-07 05:00:09,100 INFO spawned: 'dispatcher' with pid 22",
    ].join('\n');
    expect(Object.fromEntries(restartCounts(log))).toEqual({ dispatcher: 1, matcher: 0 });
  });
});
