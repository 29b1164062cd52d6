import { decodeDeliveryJob, encodeDeliveryJob, payloadOfDeliveryJob, type NewDeliveryJob } from './index';

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const newJob = (payload: Record<string, unknown>): NewDeliveryJob => ({
  deliveryId: 'msg_1',
  tenant: '100',
  webhookId: 'w1',
  messageId: 'm1',
  spec: {
    TargetUrl: 'https://receiver.example/hook',
    CommunicationMethod: 'http',
    SharedSpace: null,
    Security: null,
    Headers: { 'X-Env': 'v1:sealed' },
    Authentication: null,
    SigningSecret: 'v1:sealed',
    RetryPolicy: { MaxRetries: 3, InitialDelayMs: 1000, BackoffMultiplier: 2, RetryOnStatus: [503] },
  },
  payload,
  createdAt: '2026-12-03T10:00:00.000Z',
});

describe('delivery job framing', () => {
  const payload = { rule: { Name: 'line\nbreak "quoted"' }, message: { text: 'naïve €', list: [1, { a: null }] } };

  it('carries the fields and the body, which is the payload serialised once, byte for byte', () => {
    const { payload: _payload, ...fields } = newJob(payload);
    const job = decodeDeliveryJob(encodeDeliveryJob(newJob(payload)));
    const { body, ...decoded } = job;
    expect(decoded).toEqual(fields);
    expect(text(body)).toBe(JSON.stringify(payload));
    expect(payloadOfDeliveryJob(job)).toEqual(payload);
  });

  it('encodes a decoded job again (a parked job) to the same bytes', () => {
    const data = encodeDeliveryJob(newJob(payload));
    expect(encodeDeliveryJob(decodeDeliveryJob(data))).toEqual(data);
  });

  it('reads a job queued in the older form, one JSON object with the body in `payload`', () => {
    const older = { ...newJob(payload), target: { url: 'https://receiver.example/hook' } };
    for (const data of [JSON.stringify(older), JSON.stringify(older, null, 2)]) {
      const { body, ...fields } = decodeDeliveryJob(utf8.encode(data));
      expect(text(body)).toBe(JSON.stringify(payload));
      expect(fields).not.toHaveProperty('payload');
      expect(fields).toMatchObject({ deliveryId: 'msg_1', target: older.target });
    }
  });

  it('leaves the body out when an older job has no object to send, so validation refuses the job', () => {
    for (const bad of [{ payload: 'text' }, { payload: [1] }, { payload: null }, {}])
      expect(decodeDeliveryJob(utf8.encode(JSON.stringify({ deliveryId: 'msg_1', ...bad }))).body).toBeUndefined();
  });

  it('throws on a message that is not JSON', () => {
    expect(() => decodeDeliveryJob(utf8.encode('not json'))).toThrow();
    expect(() => decodeDeliveryJob(utf8.encode('not json\n{}'))).toThrow();
  });
});
