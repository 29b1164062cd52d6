import { ConfigError, loadConfig } from '@hookline/service-kit';
import { DispatcherConfig } from './dispatcher.config';

const required = {
  NATS_URL: 'nats://127.0.0.1:4222',
  MONGO_URL: 'mongodb://127.0.0.1/hookline',
  HOOKLINE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('DispatcherConfig', () => {
  it('has the Octane defaults: 10 s timeout, HTTPS only, port 80 for HTTP when allowed, no private ranges', () => {
    const config = loadConfig('dispatcher', DispatcherConfig, required);
    expect(config).toMatchObject({
      WEBHOOK_REQUEST_TIMEOUT: 10_000,
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_HTTP_PORTS: '80',
      WEBHOOK_ALLOWED_CIDRS: '',
    });
  });

  it('reads the webhook settings', () => {
    const config = loadConfig('dispatcher', DispatcherConfig, {
      ...required,
      WEBHOOK_REQUEST_TIMEOUT: '2500',
      WEBHOOK_ALLOW_HTTP: 'false',
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '10.1.0.0/16, fd00::/8',
    });
    expect(config).toMatchObject({
      WEBHOOK_REQUEST_TIMEOUT: 2500,
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_HTTP_PORTS: 'any',
      WEBHOOK_ALLOWED_CIDRS: '10.1.0.0/16, fd00::/8',
    });
  });

  it.each([
    ['WEBHOOK_REQUEST_TIMEOUT', 'soon'],
    ['WEBHOOK_ALLOW_HTTP', 'maybe'],
    ['WEBHOOK_HTTP_PORTS', '80,99999'],
    ['WEBHOOK_ALLOWED_CIDRS', '10/8'],
    ['HOOKLINE_ENCRYPTION_KEY', 'short'],
    ['WEBHOOK_PROXY_URL', 'proxy.corp:3128'],
    ['HTTPS_PROXY', 'socks5://proxy:1080'],
    ['http_proxy', 'http://proxy/path'],
    ['NO_PROXY', 'corp.example,bad/host'],
  ])('refuses to start with a bad %s', (name, value) => {
    expect(() => loadConfig('dispatcher', DispatcherConfig, { ...required, [name]: value })).toThrow(ConfigError);
    try {
      loadConfig('dispatcher', DispatcherConfig, { ...required, [name]: value });
    } catch (err) {
      expect((err as ConfigError).problems.join(' ')).toContain(name);
    }
  });

  it('reads the proxy settings, upper case before lower case', () => {
    const config = loadConfig('dispatcher', DispatcherConfig, {
      ...required,
      HTTPS_PROXY: 'http://proxy.corp:3128',
      https_proxy: 'http://ignored:1',
      http_proxy: 'http://lower.corp:8080',
      no_proxy: '.corp.example',
    });
    const settings = config.proxySettings();
    expect(settings.https?.host).toBe('proxy.corp:3128');
    expect(settings.http?.host).toBe('lower.corp:8080');
    expect(settings.noProxy).toEqual([{ kind: 'domain', domain: 'corp.example', port: null }]);
    expect(loadConfig('dispatcher', DispatcherConfig, required).proxySettings()).toEqual({
      http: null,
      https: null,
      noProxy: [],
    });
  });
});
