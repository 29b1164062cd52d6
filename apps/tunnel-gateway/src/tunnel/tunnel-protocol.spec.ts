import type { Principal } from '@hookline/auth';
import { TUNNEL_CLOSE } from '@hookline/contracts';
import { parseDeliveryRequest, parseListenerFrame } from './frames';
import { admitListener } from './listener-auth.service';
import { sharedSpaceOfPath } from './tunnel.server';

const principal = (roles: Principal['roles'], sharedSpaces: string[] = []): Principal => ({
  subscriptionId: 7,
  keyId: 'k',
  roles,
  sharedSpaces,
});

describe('admitListener', () => {
  it('admits an integration key on its own shared spaces only', () => {
    expect(admitListener(principal(['integration'], ['s1']), 's1')).toMatchObject({ admitted: true });
    expect(admitListener(principal(['integration'], ['s1']), 's2')).toMatchObject({
      admitted: false,
      closeCode: TUNNEL_CLOSE.forbidden,
    });
  });

  it('refuses a key without the integration role, even when assigned to the space', () => {
    expect(admitListener(principal(['read-only'], ['s1']), 's1')).toMatchObject({
      admitted: false,
      closeCode: TUNNEL_CLOSE.forbidden,
      reason: 'API key needs the integration role',
    });
  });

  it('admits an admin key on any space', () => {
    expect(admitListener(principal(['admin']), 'anything')).toMatchObject({ admitted: true });
  });
});

describe('sharedSpaceOfPath', () => {
  it('reads the space from the Octane tunnel path', () => {
    expect(sharedSpaceOfPath('/messaging/shared_spaces/1001/webhooks')).toBe('1001');
    expect(sharedSpaceOfPath('/messaging/shared_spaces/a%20b/webhooks/?x=1')).toBe('a b');
  });

  it('rejects other paths and bad encodings', () => {
    expect(sharedSpaceOfPath('/messaging/shared_spaces//webhooks')).toBeUndefined();
    expect(sharedSpaceOfPath('/messaging/shared_spaces/a/b/webhooks')).toBeUndefined();
    expect(sharedSpaceOfPath('/api/v2/sessions')).toBeUndefined();
    expect(sharedSpaceOfPath('/messaging/shared_spaces/%E0%A4%A/webhooks')).toBeUndefined();
  });
});

describe('frames', () => {
  it('accepts auth and reply frames and nothing else', () => {
    expect(parseListenerFrame('{"type":"auth","key":"hk_x"}')).toEqual({ type: 'auth', key: 'hk_x' });
    expect(parseListenerFrame('{"type":"reply","id":"d","status":200,"body":"ok","extra":1}')).toEqual({
      type: 'reply',
      id: 'd',
      status: 200,
      body: 'ok',
    });
    for (const bad of [
      'nope',
      '[]',
      '{"type":"auth"}',
      '{"type":"reply","id":"d","status":99}',
      '{"type":"reply","id":"d","status":200.5}',
      '{"type":"reply","id":"d","status":200,"headers":{"a":1}}',
      '{"type":"delivery","id":"d"}',
    ])
      expect(parseListenerFrame(bad)).toBeUndefined();
  });

  it('checks the dispatcher request against the contract', () => {
    const ok = { id: 'd', webhookId: 'w', headers: { a: 'b' }, body: '{}' };
    expect(parseDeliveryRequest(JSON.stringify(ok))).toEqual(ok);
    expect(parseDeliveryRequest(JSON.stringify({ ...ok, body: {} }))).toBeUndefined();
    expect(parseDeliveryRequest(JSON.stringify({ ...ok, headers: undefined }))).toBeUndefined();
  });

  it("passes the webhook's target URL on to the listener, when the dispatcher sends one", () => {
    const routed = { id: 'd', webhookId: 'w', targetUrl: 'http://localhost:3000/a', headers: {}, body: '{}' };
    expect(parseDeliveryRequest(JSON.stringify(routed))).toEqual(routed);
    expect(parseDeliveryRequest(JSON.stringify({ ...routed, targetUrl: 7 }))).toBeUndefined();
  });
});
