import { Receiver } from '@hookline/testing';
import { DispatcherHarness, job, spec } from '../../test/dispatcher-harness';

/** Plain HTTP on any port is allowed here, but no private range is: only the SSRF guard stands in the way. */
const NO_ALLOW_LIST = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HTTP_PORTS: 'any', WEBHOOK_REQUEST_TIMEOUT: '1000' };

describe('dispatcher SSRF guard: private and loopback targets are refused before connecting', () => {
  let h: DispatcherHarness;
  let listener: Receiver;

  beforeAll(async () => {
    h = await DispatcherHarness.start(NO_ALLOW_LIST);
    listener = await Receiver.start({ respond: (res) => res.end() });
  });

  afterAll(async () => {
    await listener?.stop();
    await h?.stop();
  });

  const hosts = [
    '127.0.0.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '0x7f000001',
    '2130706433',
    '0177.0.0.1',
    'localhost',
    '10.0.0.1',
    '100.64.0.1',
    '169.254.169.254',
  ];

  it.each(hosts)('refuses http://%s without a connection and without retrying', async (host) => {
    const j = job(spec(`http://${host}:${listener.port}/hook`));
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, errorKind: 'refused', payload: j.payload }),
    ]);
    expect(outcomes[0].error).toMatch(/not allowed/);
    expect(listener.connections).toBe(0);
  });
});
