import { parseNoProxy, parseProxyUrl, proxyFor, proxySettingsFrom } from './proxy';

const PROXY = 'http://proxy.corp:3128';

describe('proxy settings', () => {
  it('WEBHOOK_PROXY_URL serves both schemes and wins over HTTPS_PROXY and HTTP_PROXY', () => {
    const settings = proxySettingsFrom({
      WEBHOOK_PROXY_URL: PROXY,
      HTTPS_PROXY: 'http://other:1',
      HTTP_PROXY: 'http://other:2',
    });
    expect(settings.http?.href).toBe(`${PROXY}/`);
    expect(settings.https?.href).toBe(`${PROXY}/`);
  });

  it('otherwise HTTPS_PROXY for https targets and HTTP_PROXY for http ones, each alone', () => {
    const https = proxySettingsFrom({ HTTPS_PROXY: PROXY });
    expect(proxyFor(https, new URL('https://hooks.example.com/x'))?.host).toBe('proxy.corp:3128');
    expect(proxyFor(https, new URL('http://hooks.example.com/x'))).toBeNull();
    const http = proxySettingsFrom({ HTTP_PROXY: PROXY });
    expect(proxyFor(http, new URL('http://hooks.example.com/x'))?.host).toBe('proxy.corp:3128');
    expect(proxyFor(http, new URL('https://hooks.example.com/x'))).toBeNull();
  });

  it('keeps user info for Proxy-Authorization and refuses what is not a proxy URL, naming the variable', () => {
    expect(parseProxyUrl('http://u:p@proxy:8080').username).toBe('u');
    for (const bad of ['proxy.corp:3128', 'socks5://proxy:1080', 'http://proxy/path', 'http://proxy/?q', 'http://'])
      expect(() => parseProxyUrl(bad)).toThrow();
    expect(() => proxySettingsFrom({ HTTPS_PROXY: 'ftp://proxy' })).toThrow(/^HTTPS_PROXY: /);
  });

  it('NO_PROXY: *, domains and their subdomains, addresses and ranges (also the pinned address), ports', () => {
    const settings = proxySettingsFrom({
      WEBHOOK_PROXY_URL: PROXY,
      NO_PROXY: '.corp.example, internal.test:8443 10.0.0.0/8,192.168.1.5,[fd00::1]:443',
    });
    const direct = (url: string, pinned?: string) => proxyFor(settings, new URL(url), pinned) === null;
    expect(direct('https://corp.example/')).toBe(true);
    expect(direct('https://hooks.corp.example/')).toBe(true);
    expect(direct('https://notcorp.example/')).toBe(false);
    expect(direct('https://internal.test:8443/')).toBe(true);
    expect(direct('https://internal.test/')).toBe(false);
    expect(direct('http://10.1.2.3/')).toBe(true);
    expect(direct('https://receiver.example.com/', '10.9.9.9')).toBe(true);
    expect(direct('https://receiver.example.com/', '203.0.113.9')).toBe(false);
    expect(direct('http://192.168.1.5/')).toBe(true);
    expect(direct('https://[fd00::1]/')).toBe(true);
    expect(direct('http://[fd00::1]/')).toBe(false);
    expect(
      proxyFor(proxySettingsFrom({ WEBHOOK_PROXY_URL: PROXY, NO_PROXY: '*' }), new URL('https://a.b/')),
    ).toBeNull();
  });

  it('refuses a NO_PROXY entry that is neither a host, an address nor a range', () => {
    expect(() => parseNoProxy('good.example, bad/host')).toThrow(/NO_PROXY entry/);
    expect(() => parseNoProxy('10.0.0.0/33')).toThrow(/NO_PROXY entry/);
    expect(() => parseNoProxy('host:99999')).toThrow(/NO_PROXY entry/);
    expect(parseNoProxy(' ')).toEqual([]);
  });
});
