import { checkHttpPolicy, DEFAULT_HTTP_POLICY, httpPolicyFromEnv } from './http-policy';

describe('checkHttpPolicy', () => {
  it('always allows HTTPS, on any port', () => {
    expect(checkHttpPolicy('https://hooks.example.com/x', DEFAULT_HTTP_POLICY)).toEqual({ allowed: true });
    expect(checkHttpPolicy('https://hooks.example.com:8443/', DEFAULT_HTTP_POLICY)).toEqual({
      allowed: true,
    });
  });

  it('refuses plain HTTP unless WEBHOOK_ALLOW_HTTP is on', () => {
    const verdict = checkHttpPolicy('http://hooks.example.com/', DEFAULT_HTTP_POLICY);
    expect(verdict).toEqual({ allowed: false, reason: expect.stringMatching(/WEBHOOK_ALLOW_HTTP/) });
  });

  it('allows plain HTTP only to port 80 by default', () => {
    const policy = { allowHttp: true };
    expect(checkHttpPolicy('http://hooks.example.com/', policy)).toEqual({ allowed: true });
    expect(checkHttpPolicy('http://hooks.example.com:80/', policy)).toEqual({ allowed: true });
    const verdict = checkHttpPolicy('http://hooks.example.com:8080/', policy);
    expect(verdict).toEqual({ allowed: false, reason: expect.stringMatching(/\[80\], not 8080/) });
  });

  it('allows the listed ports instead, or any port', () => {
    const listed = { allowHttp: true, allowedHttpPorts: [8080, 9000] };
    expect(checkHttpPolicy('http://h.example.com:8080/', listed)).toEqual({ allowed: true });
    expect(checkHttpPolicy('http://h.example.com/', listed).allowed).toBe(false);
    const any = { allowHttp: true, allowedHttpPorts: 'any' as const };
    expect(checkHttpPolicy('http://h.example.com:31337/', any)).toEqual({ allowed: true });
  });

  it('refuses other schemes and invalid URLs', () => {
    const policy = { allowHttp: true, allowedHttpPorts: 'any' as const };
    expect(checkHttpPolicy('ftp://h.example.com/', policy)).toEqual({
      allowed: false,
      reason: expect.stringMatching(/ftp:/),
    });
    expect(checkHttpPolicy('ws://h.example.com/', policy).allowed).toBe(false);
    expect(checkHttpPolicy('no url', policy).allowed).toBe(false);
  });
});

describe('httpPolicyFromEnv', () => {
  it('defaults to HTTPS only, HTTP port 80', () => {
    expect(httpPolicyFromEnv({})).toEqual({ allowHttp: false, allowedHttpPorts: [80] });
  });

  it('reads the flag and port list', () => {
    expect(httpPolicyFromEnv({ WEBHOOK_ALLOW_HTTP: 'TRUE', WEBHOOK_HTTP_PORTS: '80, 8080' })).toEqual({
      allowHttp: true,
      allowedHttpPorts: [80, 8080],
    });
    expect(httpPolicyFromEnv({ WEBHOOK_ALLOW_HTTP: '1', WEBHOOK_HTTP_PORTS: 'any' })).toEqual({
      allowHttp: true,
      allowedHttpPorts: 'any',
    });
    expect(httpPolicyFromEnv({ WEBHOOK_ALLOW_HTTP: 'false' }).allowHttp).toBe(false);
  });

  it('throws on values it cannot read rather than guessing', () => {
    expect(() => httpPolicyFromEnv({ WEBHOOK_ALLOW_HTTP: 'maybe' })).toThrow(/WEBHOOK_ALLOW_HTTP/);
    expect(() => httpPolicyFromEnv({ WEBHOOK_HTTP_PORTS: '80,http' })).toThrow(/"http"/);
    expect(() => httpPolicyFromEnv({ WEBHOOK_HTTP_PORTS: '0' })).toThrow(/1-65535/);
    expect(() => httpPolicyFromEnv({ WEBHOOK_HTTP_PORTS: '70000' })).toThrow(/1-65535/);
  });
});
