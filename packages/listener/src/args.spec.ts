import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseListenArgs } from './args';

const TEST_CA = join(__dirname, '..', '..', '..', 'apps', 'tunnel-gateway', 'test', 'tls', 'cert.pem');

describe('parseListenArgs', () => {
  it('reads the listen command with defaults', () => {
    expect(
      parseListenArgs(['listen', '--space', 's1', '--key', 'hk_1', '--forward', 'http://localhost:3000/hooks'], {}),
    ).toEqual({
      kind: 'listen',
      command: {
        gatewayUrl: 'ws://127.0.0.1:8086',
        sharedSpace: 's1',
        apiKey: 'hk_1',
        forward: 'http://localhost:3000/hooks',
        allowHosts: [],
        print: false,
        forwardTimeoutMs: 10_000,
        backoff: { initialMs: 500, maxMs: 30_000 },
      },
    });
  });

  it('takes the key and gateway from the environment, flags first', () => {
    const parsed = parseListenArgs(['listen', '--space', 's1', '--print'], {
      HOOKLINE_API_KEY: 'hk_env',
      HOOKLINE_GATEWAY_URL: 'wss://gw.example',
    });
    expect(parsed).toMatchObject({ kind: 'listen', command: { apiKey: 'hk_env', gatewayUrl: 'wss://gw.example' } });
    expect(parsed.kind === 'listen' && 'forward' in parsed.command).toBe(false);
    expect(
      parseListenArgs(['listen', '--space', 's', '--key', 'hk_flag', '--print'], { HOOKLINE_API_KEY: 'hk_env' }),
    ).toMatchObject({
      command: { apiKey: 'hk_flag' },
    });
  });

  it.each([
    [['listen', '--key', 'k', '--print'], '--space is required'],
    [['listen', '--space', 's', '--print'], '--key (or HOOKLINE_API_KEY) is required'],
    [
      ['listen', '--space', 's', '--key', 'k', '--print', '--forward', 'http://x'],
      '--print forwards nothing: give it without --forward and --allow-host',
    ],
    [
      ['listen', '--space', 's', '--key', 'k', '--print', '--allow-host', 'x'],
      '--print forwards nothing: give it without --forward and --allow-host',
    ],
    [
      ['listen', '--space', 's', '--key', 'k', '--allow-host', 'http://x'],
      '--allow-host takes a host name or name:port, not "http://x"',
    ],
    [['listen', '--space', 's', '--key', 'k', '--forward', 'ftp://x'], '--forward must be an http(s) URL'],
    [['listen', '--space', 's', '--key', 'k', '--print', '--url', 'nope'], '--url must be a ws(s) URL'],
    [
      ['listen', '--space', 's', '--key', 'k', '--print', '--timeout', '0'],
      '--timeout must be a positive number of ms',
    ],
    [['serve'], 'the only command is `listen`'],
  ])('refuses %j', (argv, message) => {
    expect(parseListenArgs(argv, {})).toEqual({ kind: 'error', message });
  });

  it('reads the --ca file (or HOOKLINE_GATEWAY_CA) up front and refuses one that is missing or not PEM', () => {
    const base = ['listen', '--space', 's', '--key', 'k', '--print'];
    const pem = readFileSync(TEST_CA, 'utf8');
    expect(parseListenArgs([...base, '--ca', TEST_CA], {})).toMatchObject({ command: { ca: pem } });
    expect(parseListenArgs(base, { HOOKLINE_GATEWAY_CA: TEST_CA })).toMatchObject({ command: { ca: pem } });
    const missing = join(mkdtempSync(join(tmpdir(), 'listener-ca-')), 'nope.pem');
    expect(parseListenArgs([...base, '--ca', missing], {})).toEqual({
      kind: 'error',
      message: `--ca: cannot read ${missing}: ENOENT`,
    });
    const garbage = `${missing}.txt`;
    writeFileSync(garbage, 'not a certificate');
    expect(parseListenArgs([...base, '--ca', garbage], {})).toEqual({
      kind: 'error',
      message: `--ca: ${garbage} holds no PEM certificate`,
    });
  });

  it("routes by each delivery's own target without --forward, to loopback and the --allow-host hosts", () => {
    expect(
      parseListenArgs(
        ['listen', '--space', 's', '--key', 'k', '--allow-host', 'receiver.lan', '--allow-host', '10.0.0.5:8080'],
        {},
      ),
    ).toMatchObject({ kind: 'listen', command: { allowHosts: ['receiver.lan', '10.0.0.5:8080'], print: false } });
  });

  it('reports unknown flags', () => {
    expect(parseListenArgs(['listen', '--spaces', 's'], {})).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--spaces'),
    });
  });

  it('shows help', () => {
    expect(parseListenArgs(['--help'], {})).toEqual({ kind: 'help' });
  });
});
