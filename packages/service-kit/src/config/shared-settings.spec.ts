import { ConfigError, loadConfig, NatsServiceConfig } from './config';
import { WithAdminKey, WithPublicBaseUrl } from './shared-settings';

/** A service's settings made of the shared ones plus one of its own. */
class ExampleConfig extends WithAdminKey(WithPublicBaseUrl(NatsServiceConfig)) {
  override PORT = 9000;
  OWN_SETTING = 'own';
}

const load = (env: Record<string, string>) => loadConfig('example', ExampleConfig, env);

describe('shared settings', () => {
  it('are read from the environment with the service’s own', () => {
    const config = load({
      NATS_URL: 'nats://x',
      PUBLIC_BASE_URL: 'https://hookline.example.com',
      HOOKLINE_ADMIN_KEY: 'hk_admin_0123456789abcdef',
      OWN_SETTING: 'mine',
    });
    expect(config).toMatchObject({
      PUBLIC_BASE_URL: 'https://hookline.example.com',
      HOOKLINE_ADMIN_KEY: 'hk_admin_0123456789abcdef',
      OWN_SETTING: 'mine',
      NATS_REQUEST_TIMEOUT_MS: 5_000,
    });
  });

  it('may be left unset', () => {
    const config = load({ NATS_URL: 'nats://x' });
    expect(config.PUBLIC_BASE_URL).toBeUndefined();
    expect(config.HOOKLINE_ADMIN_KEY).toBeUndefined();
  });

  it('name each bad value at start', () => {
    let error: unknown;
    try {
      load({ NATS_URL: 'nats://x', PUBLIC_BASE_URL: 'hookline.example.com', HOOKLINE_ADMIN_KEY: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PUBLIC_BASE_URL: /m);
    expect(problems).toMatch(/^HOOKLINE_ADMIN_KEY: .*20/m);
  });
});
