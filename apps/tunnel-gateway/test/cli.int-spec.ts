import { join } from 'node:path';
import { runCli, type CliIo } from '@hookline/listener';
import type { Receiver, RunningApp } from '@hookline/testing';
import { answerWith, RECEIVER_PATH, startLocalReceiver, TunnelHarness, waitFor } from './tunnel-harness';

/** Runs `hookline <argv>` in-process with captured output and a Ctrl-C the test can press. */
function hookline(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let interrupt!: () => void;
  const io: CliIo = {
    argv,
    env,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    interrupted: new Promise<void>((resolve) => (interrupt = resolve)),
  };
  const exitCode = runCli(io);
  return { out, err, exitCode, interrupt, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('hookline listen, end to end', () => {
  let h: TunnelHarness;
  let gateway: RunningApp;
  let receiver: Receiver;
  let key: string;

  beforeAll(async () => {
    h = await TunnelHarness.start();
    gateway = await h.startGateway();
    receiver = await startLocalReceiver();
    key = await h.createKey(['integration'], ['octane-1001']);
  });

  afterAll(async () => {
    await receiver?.stop();
    await h?.stop();
  });

  it('forwards deliveries to the local URL and prints one line per delivery', async () => {
    const cli = hookline([
      'listen',
      '--space',
      'octane-1001',
      '--key',
      key,
      '--forward',
      receiver.url(RECEIVER_PATH),
      '--url',
      gateway.baseUrl.replace('http', 'ws'),
    ]);
    await waitFor(() => cli.stderr().includes('listening'));
    answerWith(receiver, 202);

    const reply = await h.deliver('octane-1001', { id: 'd-cli', webhookId: 'wh-cli' });

    expect(reply).toMatchObject({ id: 'd-cli', status: 202, body: 'receiver says 202' });
    expect(receiver.requests.at(-1)?.headers['x-hookline-signature']).toBe('v1,test');
    await waitFor(() => cli.out.length > 0);
    expect(cli.stdout()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}webhook wh-cli {2}delivery d-cli {2}202 {2}\d+ ms\n$/);
    cli.interrupt();
    await expect(cli.exitCode).resolves.toBe(0);
    // The gateway learns of the closed socket a moment after the CLI exits (one CI run asked in
    // between and timed out); from then on a delivery fails at once.
    await waitFor(async () => (await h.deliveryFailure('octane-1001')) === 'no-responders');
  });

  it('--print pretty-prints payloads instead of forwarding, and takes the key from HOOKLINE_API_KEY', async () => {
    const forwarded = receiver.requests.length;
    const cli = hookline(['listen', '--space', 'octane-1001', '--print', '--url', gateway.baseUrl], {
      HOOKLINE_API_KEY: key,
    });
    await waitFor(() => cli.stderr().includes('listening'));

    const reply = await h.deliver('octane-1001', { webhookId: 'wh-print', body: '{"rule":"r","message":{"a":1}}' });

    expect(reply.status).toBe(200);
    expect(receiver.requests).toHaveLength(forwarded);
    await waitFor(() => cli.stdout().includes('wh-print  delivery'));
    expect(cli.stdout()).toContain('{\n  "rule": "r",\n  "message": {\n    "a": 1\n  }\n}');
    cli.interrupt();
    await expect(cli.exitCode).resolves.toBe(0);
  });

  it('answers 502 for the dispatcher to retry when the local receiver is down', async () => {
    const gone = await startLocalReceiver();
    await gone.stop();
    const cli = hookline([
      'listen',
      '--space',
      'octane-1001',
      '--key',
      key,
      '--forward',
      gone.url(RECEIVER_PATH),
      '--url',
      gateway.baseUrl,
    ]);
    await waitFor(() => cli.stderr().includes('listening'));
    const reply = await h.deliver('octane-1001');
    expect(reply.status).toBe(502);
    expect(reply.body).toContain('local receiver unreachable: fetch failed: ECONNREFUSED');
    cli.interrupt();
    await expect(cli.exitCode).resolves.toBe(0);
  });

  it('stops with exit code 2 and no reconnect when the gateway refuses the key', async () => {
    const cli = hookline([
      'listen',
      '--space',
      'elsewhere',
      '--key',
      key,
      '--forward',
      receiver.url(RECEIVER_PATH),
      '--url',
      gateway.baseUrl,
    ]);
    await expect(cli.exitCode).resolves.toBe(2);
    expect(cli.stderr()).toContain(
      'refused by the gateway (4403 API key is not assigned to this shared space); not reconnecting',
    );
  });

  it('connects to a wss gateway with a private certificate given by --ca, and says why without it', async () => {
    const tls = join(__dirname, 'tls');
    const secure = await h.startGateway({
      TUNNEL_TLS_CERT: join(tls, 'cert.pem'),
      TUNNEL_TLS_KEY: join(tls, 'key.pem'),
    });
    const url = secure.baseUrl.replace('https', 'wss');
    const base = [
      'listen',
      '--space',
      'octane-1001',
      '--key',
      key,
      '--forward',
      receiver.url(RECEIVER_PATH),
      '--url',
      url,
    ];

    // Without --ca the self-signed certificate is refused; the reconnect line names the reason.
    const untrusting = hookline([...base, '--max-backoff', '100']);
    try {
      await waitFor(() => untrusting.stderr().includes('disconnected'));
      expect(untrusting.stderr()).toMatch(/disconnected \(1006 self-signed certificate\b.*\); reconnecting/);
    } finally {
      untrusting.interrupt();
    }
    await expect(untrusting.exitCode).resolves.toBe(0);

    const cli = hookline([...base, '--ca', join(tls, 'cert.pem')]);
    await waitFor(() => cli.stderr().includes('listening'));
    answerWith(receiver, 201);
    expect(await h.deliver('octane-1001', { id: 'd-wss-cli' })).toMatchObject({ id: 'd-wss-cli', status: 201 });
    cli.interrupt();
    await expect(cli.exitCode).resolves.toBe(0);
  });

  it('explains its usage on bad arguments', async () => {
    const cli = hookline(['listen', '--space', 's', '--key', 'k', '--print', '--forward', 'http://localhost:3000/']);
    await expect(cli.exitCode).resolves.toBe(64);
    expect(cli.stderr()).toContain('--print forwards nothing: give it without --forward and --allow-host');
  });
});
