import { parseCidrList } from '@hookline/delivery';
import { ConfigError, loadConfig } from '@hookline/service-kit';
import { RegistryConfig } from './registry.config';

const required = {
  NATS_URL: 'nats://127.0.0.1:4222',
  MONGO_URL: 'mongodb://127.0.0.1/hookline',
  HOOKLINE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('RegistryConfig delivery policy', () => {
  it("defaults to the dispatcher's: HTTPS only, port 80 for HTTP when allowed, no private ranges", () => {
    expect(loadConfig('registry', RegistryConfig, required).deliveryPolicy()).toEqual({
      http: { allowHttp: false, allowedHttpPorts: [80] },
      allowedCidrs: [],
    });
  });

  it('reads the same three settings as the dispatcher', () => {
    const config = loadConfig('registry', RegistryConfig, {
      ...required,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_HTTP_PORTS: '80, 8080',
      WEBHOOK_ALLOWED_CIDRS: '10.1.0.0/16, fd00::/8',
    });
    expect(config.deliveryPolicy()).toEqual({
      http: { allowHttp: true, allowedHttpPorts: [80, 8080] },
      allowedCidrs: parseCidrList('10.1.0.0/16, fd00::/8'),
    });
  });

  it.each([
    ['WEBHOOK_ALLOW_HTTP', 'maybe'],
    ['WEBHOOK_HTTP_PORTS', '80,99999'],
    ['WEBHOOK_ALLOWED_CIDRS', '10/8'],
    ['HTTP_BODY_MAX_DEPTH', '1'],
  ])('refuses to start with a bad %s, naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig('registry', RegistryConfig, { ...required, [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join(' ')).toContain(name);
  });
});
