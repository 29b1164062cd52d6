import type { ServerResponse } from 'node:http';
import {
  STREAMS,
  SUBJECTS,
  type ClientAuthMethod,
  type NewDeliveryJob,
  type SignInFlow,
  type TunnelDeliveryRequest,
} from '@hookline/contracts';
import { generateSecret, USER_AGENT } from '@hookline/delivery';
import { Webhook } from 'standardwebhooks';
import { Receiver } from '@hookline/testing';
import {
  answer,
  box,
  DispatcherHarness,
  FAST_RETRIES,
  job,
  sleep,
  spec,
  TENANT,
  waitFor,
} from '../../test/dispatcher-harness';
import { SECURITY_HEADER } from './prepared-delivery';

describe('dispatcher: delivering jobs from DELIVERIES to local receivers', () => {
  let h: DispatcherHarness;
  const receivers: Receiver[] = [];
  const receiver = async (respond: (res: ServerResponse, n: number) => void) => {
    const r = await Receiver.start({ respond });
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await DispatcherHarness.start();
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await h?.stop();
  });

  it('POSTs the payload signed (verified with standardwebhooks) with the webhook headers, Security and Basic auth', async () => {
    const r = await receiver(answer(202, 'thanks'));
    const secret = generateSecret();
    const j = job(
      spec(
        r.url(),
        {
          Security: 'rally-shared-secret',
          Headers: { 'X-Team': box.encrypt('blue') },
          Authentication: { Type: 'Basic', Username: 'hook', Password: box.encrypt('p4ss:word') },
        },
        secret,
      ),
    );
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);

    expect(outcomes).toEqual([
      expect.objectContaining({
        kind: 'success',
        attempt: 1,
        status: 202,
        responseExcerpt: 'thanks',
        messageId: j.messageId,
        tenant: TENANT,
        webhookId: j.webhookId,
      }),
    ]);
    expect(outcomes[0].payload).toBeUndefined();
    const [req] = r.requests;
    expect(JSON.parse(req.body)).toEqual(j.payload);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^Hookline\/\d/);
    expect(req.headers[SECURITY_HEADER]).toBe('rally-shared-secret');
    expect(req.headers['x-team']).toBe('blue');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('hook:p4ss:word').toString('base64')}`);
    expect(req.headers['webhook-id']).toBe(j.deliveryId);
    const verified = new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
    expect(verified).toEqual(j.payload);
    expect(() => new Webhook(generateSecret()).verify(req.body, req.headers as Record<string, string>)).toThrow();
  });

  it('delivers a job queued in the older form (one JSON object, the body in `payload`) with the same body and signature', async () => {
    const r = await receiver(answer(200));
    const secret = generateSecret();
    const j = job(spec(r.url(), {}, secret), {
      payload: { rule: { Name: 'queued before' }, message: { text: 'naïve\n"quoted"', n: 1.5 } },
    });
    await h.client.js.publish(SUBJECTS.delivery(j.tenant, j.webhookId), JSON.stringify(j), { msgID: j.deliveryId });
    expect(await h.settled(j.deliveryId)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1 })]);
    const [req] = r.requests;
    expect(req.body).toBe(JSON.stringify(j.payload));
    expect(new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).toEqual(j.payload);
  });

  it('on 410 reports the webhook gone and drops its later jobs without a request', async () => {
    const r = await receiver(answer(410));
    const first = job(spec(r.url()));
    await h.publish(first);
    expect(await h.settled(first.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'gone', attempt: 1, status: 410 }),
    ]);

    const later = job(spec(r.url()), { webhookId: first.webhookId });
    await h.publish(later);
    // Dropped means acked: the work-queue stream no longer holds it.
    await waitFor(async () => {
      const info = await h.client.jsm.streams.info(STREAMS.DELIVERIES.name, {
        subjects_filter: SUBJECTS.delivery(TENANT, first.webhookId),
      });
      return info.state.messages === 0;
    });
    await sleep(200);
    expect(r.requests).toHaveLength(1);
    expect(h.outcomesOf(later.deliveryId)).toEqual([]);
  });

  it('503, 503, 200: delivered on the third attempt with the same webhook-id each time', async () => {
    const r = await receiver((res, n) => answer(n < 2 ? 503 : 200)(res));
    const j = job(spec(r.url()));
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);

    expect(outcomes.map((o) => [o.kind, o.attempt, o.status, o.errorKind])).toEqual([
      ['retry', 1, 503, 'status'],
      ['retry', 2, 503, 'status'],
      ['success', 3, 200, undefined],
    ]);
    expect(r.requests.map((req) => req.headers['webhook-id'])).toEqual([j.deliveryId, j.deliveryId, j.deliveryId]);
    // The log gets every attempt's headers, and the body of those that did not succeed (DELIVERY_LOG_BODIES).
    expect(outcomes.map((o) => [o.request?.headers['webhook-id'], o.request?.bodyExcerpt])).toEqual([
      [j.deliveryId, r.requests[0].body],
      [j.deliveryId, r.requests[1].body],
      [j.deliveryId, undefined],
    ]);
    // The policy's delay (100 ms) separates the attempts.
    expect(r.requests[1].at - r.requests[0].at).toBeGreaterThanOrEqual(90);
  });

  it('400 fails at once and is not retried', async () => {
    const r = await receiver(answer(400, 'bad'));
    const j = job(spec(r.url()));
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, status: 400, errorKind: 'status', payload: j.payload }),
    ]);
    await sleep(400);
    expect(r.requests).toHaveLength(1);
  });

  it('cuts a receiver trickling a byte a second at the deadline, retries, and after the last retry reports failed with the payload', async () => {
    const timers: NodeJS.Timeout[] = [];
    const r = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ >= 10 || res.destroyed) return clearInterval(timer);
        res.write('x');
      }, 1000);
      timers.push(timer);
    });
    const j = job(spec(r.url(), { RetryPolicy: { ...FAST_RETRIES, MaxRetries: 1 } }));
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);
    timers.forEach(clearInterval);

    expect(outcomes.map((o) => [o.kind, o.attempt, o.errorKind])).toEqual([
      ['retry', 1, 'timeout'],
      ['failed', 2, 'timeout'],
    ]);
    for (const o of outcomes) {
      expect(o.latencyMs).toBeGreaterThanOrEqual(990);
      expect(o.latencyMs).toBeLessThan(1_500);
    }
    expect(outcomes[1].payload).toEqual(j.payload);
    expect(outcomes[1].error).toMatch(/after 2 attempts/);
  });

  it('after all retries of a retryable status reports one failed outcome with the payload', async () => {
    const r = await receiver(answer(502));
    const j = job(spec(r.url(), { RetryPolicy: { ...FAST_RETRIES, MaxRetries: 2 } }));
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);
    expect(outcomes.map((o) => [o.kind, o.attempt, o.status])).toEqual([
      ['retry', 1, 502],
      ['retry', 2, 502],
      ['failed', 3, 502],
    ]);
    expect(outcomes.filter((o) => o.payload !== undefined)).toEqual([
      expect.objectContaining({ kind: 'failed', payload: j.payload, messageId: j.messageId }),
    ]);
    await sleep(300);
    expect(r.requests).toHaveLength(3);
  });

  it('records a job without a delivery spec as failed, delivers nothing and terminates it', async () => {
    const r = await receiver(answer(200));
    const { spec: _, ...withoutSpec } = job(spec(r.url()));
    const j = withoutSpec as NewDeliveryJob;
    await h.publish(j);
    const outcomes = await h.settled(j.deliveryId);
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, errorKind: 'invalid-job', payload: j.payload }),
    ]);
    // Terminated: never offered again, nothing left pending for the consumer.
    await sleep(500);
    expect(h.outcomesOf(j.deliveryId)).toHaveLength(1);
    expect(r.requests).toHaveLength(0);
    const consumer = await h.client.jsm.consumers.info(STREAMS.DELIVERIES.name, 'dispatcher');
    expect({ ackPending: consumer.num_ack_pending, pending: consumer.num_pending }).toEqual({
      ackPending: 0,
      pending: 0,
    });
  });

  it('OAuth2 client credentials: fetches a token once, reuses it, and refreshes it once on 401', async () => {
    let issued = 0;
    const tokenRequests: { authorization?: string; body: string }[] = [];
    const tokenEndpoint = await receiver((res, n) => {
      const req = tokenEndpoint.requests[n];
      tokenRequests.push({ authorization: req.headers.authorization, body: req.body });
      issued++;
      answer(200, JSON.stringify({ access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: 3600 }), {
        'content-type': 'application/json',
      })(res);
    });
    let rejectToken: string | null = null;
    const target = await receiver((res, n) =>
      answer(target.requests[n].headers.authorization === `Bearer ${rejectToken}` ? 401 : 200)(res),
    );
    const oauth = spec(target.url(), {
      Authentication: {
        Type: 'OAuth2ClientCredentials',
        TokenUrl: `http://127.0.0.1:${tokenEndpoint.port}/token`,
        ClientId: 'client-1',
        ClientSecret: box.encrypt('s3cret'),
        Scope: 'hooks',
      },
    });

    const first = job(oauth);
    await h.publish(first);
    expect((await h.settled(first.deliveryId))[0]).toMatchObject({ kind: 'success', attempt: 1 });
    const second = job(oauth, { webhookId: first.webhookId });
    await h.publish(second);
    expect((await h.settled(second.deliveryId))[0]).toMatchObject({ kind: 'success' });
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
    expect(issued).toBe(1);
    expect(tokenRequests[0].authorization).toBe(`Basic ${Buffer.from('client-1:s3cret').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(tokenRequests[0].body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'hooks',
    });

    rejectToken = 'tok-1';
    const third = job(oauth, { webhookId: first.webhookId });
    await h.publish(third);
    expect(await h.settled(third.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'success', attempt: 1, status: 200 }),
    ]);
    expect(target.requests.slice(2).map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(issued).toBe(2);

    // A receiver that rejects every token gets one refresh per attempt, not a loop.
    const rejecting = await receiver(answer(401));
    const fourth = job({ ...oauth, TargetUrl: rejecting.url() }, { webhookId: first.webhookId });
    await h.publish(fourth);
    expect(await h.settled(fourth.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, status: 401 }),
    ]);
    expect(rejecting.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-2', 'Bearer tok-3']);
    expect(issued).toBe(3);
  });

  it('OAuth2 client credentials posted in the form, to a token URL that refuses them in Basic', async () => {
    const tokenEndpoint = await receiver((res, n) => {
      const req = tokenEndpoint.requests[n];
      const form = Object.fromEntries(new URLSearchParams(req.body));
      const posted = form.client_id === 'client-2' && form.client_secret === 's3cret&more';
      if (req.headers.authorization === undefined && posted)
        answer(200, JSON.stringify({ access_token: 'form-tok', expires_in: 3600 }), {
          'content-type': 'application/json',
        })(res);
      else answer(401, '{"error":"invalid_client"}', { 'content-type': 'application/json' })(res);
    });
    const target = await receiver(answer(200));
    const oauth = (ClientAuthMethod: ClientAuthMethod) =>
      spec(target.url(), {
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: tokenEndpoint.url(),
          ClientId: 'client-2',
          ClientSecret: box.encrypt('s3cret&more'),
          Scope: null,
          ClientAuthMethod,
        },
      });

    const posted = job(oauth('client_secret_post'));
    await h.publish(posted);
    expect(await h.settled(posted.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'success', attempt: 1, status: 200 }),
    ]);
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(['Bearer form-tok']);
    const [formPost] = tokenEndpoint.requests;
    expect(formPost.headers.authorization).toBeUndefined();
    expect(formPost.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(formPost.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-2',
      client_secret: 's3cret&more',
    });

    // Switched to Basic, the webhook signs in again rather than reusing the form post's token.
    const basic = job(oauth('client_secret_basic'), { webhookId: posted.webhookId });
    await h.publish(basic);
    expect(await h.settled(basic.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, errorKind: 'auth', error: expect.stringMatching(/401/) }),
    ]);
    expect(tokenEndpoint.requests[1].headers.authorization).toMatch(/^Basic /);
    expect(target.requests).toHaveLength(1);
  });

  it('signs in to AR System and the Innovation Suite, sends AR-JWT, and signs in again on 401', async () => {
    let issued = 0;
    const login = () => receiver((res) => answer(200, `jwt-${++issued}`, { 'content-type': 'text/plain' })(res));
    const remedyLogin = await login();
    const suiteLogin = await login();
    let rejected: string | null = null;
    const target = await receiver((res, n) =>
      answer(target.requests[n].headers.authorization === rejected ? 401 : 200)(res),
    );
    const signIn = (flow: SignInFlow, url: string) =>
      spec(target.url(), {
        Authentication: {
          Type: 'SignIn',
          Flow: flow,
          SignInUrl: url,
          Username: 'admin',
          Password: box.encrypt('Passw0rd'),
        },
      });
    const remedy = signIn('RemedyJwt', remedyLogin.url());
    const suite = signIn('InnovationSuite', suiteLogin.url());
    const deliver = async (deliverySpec: ReturnType<typeof spec>) => {
      const j = job(deliverySpec);
      await h.publish(j);
      return h.settled(j.deliveryId);
    };

    for (const s of [remedy, remedy, suite])
      expect(await deliver(s)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1 })]);
    expect(target.requests.map((r) => r.headers.authorization)).toEqual([
      'AR-JWT jwt-1',
      'AR-JWT jwt-1',
      'AR-JWT jwt-2',
    ]);
    expect(remedyLogin.requests).toHaveLength(1);
    expect(remedyLogin.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(remedyLogin.requests[0].body))).toEqual({
      username: 'admin',
      password: 'Passw0rd',
    });
    expect(suiteLogin.requests[0].headers['x-requested-by']).toBe('XMLHttpRequest');
    expect(JSON.parse(suiteLogin.requests[0].body)).toEqual({ userName: 'admin', password: 'Passw0rd' });

    // The receiver ends the session: one new sign-in, within the same attempt.
    rejected = 'AR-JWT jwt-1';
    expect(await deliver(remedy)).toEqual([expect.objectContaining({ kind: 'success', attempt: 1, status: 200 })]);
    expect(target.requests.slice(3).map((r) => r.headers.authorization)).toEqual(['AR-JWT jwt-1', 'AR-JWT jwt-3']);
    expect(remedyLogin.requests).toHaveLength(2);
  });

  it('a refused sign-in fails the delivery without sending it; a fixed token is sent with its scheme', async () => {
    const target = await receiver(answer(200));
    const refusing = await receiver(answer(401, 'bad credentials'));
    const refused = job(
      spec(target.url(), {
        Authentication: {
          Type: 'SignIn',
          Flow: 'OAuth2Password',
          SignInUrl: refusing.url(),
          Username: 'jonnie@petramco.com',
          Password: box.encrypt('wrong'),
        },
      }),
    );
    await h.publish(refused);
    expect(await h.settled(refused.deliveryId)).toEqual([
      expect.objectContaining({ kind: 'failed', attempt: 1, errorKind: 'auth', error: expect.stringMatching(/401/) }),
    ]);
    expect(Object.fromEntries(new URLSearchParams(refusing.requests[0].body))).toEqual({
      grant_type: 'password',
      username: 'jonnie@petramco.com',
      password: 'wrong',
    });
    expect(target.requests).toHaveLength(0);

    for (const scheme of ['AR-JWT', 'Bearer'] as const) {
      const j = job(
        spec(target.url(), { Authentication: { Type: 'Token', Scheme: scheme, Token: box.encrypt('tok.en') } }),
      );
      await h.publish(j);
      expect(await h.settled(j.deliveryId)).toEqual([expect.objectContaining({ kind: 'success' })]);
    }
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(['AR-JWT tok.en', 'Bearer tok.en']);
  });

  it('WebSocket webhooks go to the tunnel gateway by NATS request; no listener is a retryable failure', async () => {
    const secret = generateSecret();
    const j = job(
      spec('https://unused.example.com/hook', { CommunicationMethod: 'websocket', SharedSpace: 'space-1' }, secret),
    );
    await h.publish(j);
    await waitFor(() => h.outcomesOf(j.deliveryId).length >= 1);
    expect(h.outcomesOf(j.deliveryId)[0]).toMatchObject({ kind: 'retry', attempt: 1, errorKind: 'no-listener' });

    const requests: TunnelDeliveryRequest[] = [];
    const sub = h.client.connection.subscribe(SUBJECTS.tunnelDelivery(TENANT, 'space-1'), {
      callback: (_err, msg) => {
        const request = msg.json<TunnelDeliveryRequest>();
        requests.push(request);
        msg.respond(JSON.stringify({ id: request.id, status: 200, body: 'ok from listener' }));
      },
    });
    await h.client.connection.flush();
    const outcomes = await h.settled(j.deliveryId);
    sub.unsubscribe();
    expect(outcomes.at(-1)).toMatchObject({ kind: 'success', status: 200, responseExcerpt: 'ok from listener' });
    expect(outcomes.at(-1)!.attempt).toBeGreaterThanOrEqual(2);
    expect(requests[0]).toMatchObject({
      id: j.deliveryId,
      webhookId: j.webhookId,
      targetUrl: 'https://unused.example.com/hook',
    });
    expect(requests[0].headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': USER_AGENT });
    expect(new Webhook(secret).verify(requests[0].body, requests[0].headers)).toEqual(j.payload);
  });
});
