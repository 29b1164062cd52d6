import { mkdtempSync, statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, ConfigError, readConfig, resolveConnection, writeConfig } from './config';

describe('the config file', () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), 'hookline-config-'));

  it('lives at HOOKLINE_CONFIG, else under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ HOOKLINE_CONFIG: '/etc/h.json', XDG_CONFIG_HOME: '/x', HOME: '/home/a' })).toBe('/etc/h.json');
    expect(configPath({ XDG_CONFIG_HOME: '/x', HOME: '/home/a' })).toBe('/x/hookline/config.json');
    expect(configPath({ HOME: '/home/a' })).toBe('/home/a/.config/hookline/config.json');
  });

  it('is written readable by its owner only, even over an older, looser file', () => {
    const file = join(dir(), 'nested', 'config.json');
    writeConfig(file, { url: 'http://h:8080', token: 'hlu_1', tokenKind: 'session' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    writeConfig(file, { url: 'http://h:8080', token: 'hlu_2', tokenKind: 'session' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      url: 'http://h:8080',
      token: 'hlu_2',
      tokenKind: 'session',
    });
  });

  it('reads a missing file as empty and names a broken one', () => {
    expect(readConfig(join(dir(), 'none.json'))).toEqual({});
    const broken = join(dir(), 'config.json');
    writeFileSync(broken, '{"url": ');
    expect(() => readConfig(broken)).toThrow(ConfigError);
    expect(() => readConfig(broken)).toThrow(`${broken} is not a JSON object`);
  });
});

describe('resolveConnection', () => {
  it('takes the URL from --url, then HOOKLINE_URL, then the file, then the default', () => {
    const stored = { url: 'http://stored:8080' };
    expect(resolveConnection({ url: 'http://flag:1/' }, { HOOKLINE_URL: 'http://env:2' }, stored).url).toBe(
      'http://flag:1',
    );
    expect(resolveConnection({}, { HOOKLINE_URL: 'http://env:2' }, stored).url).toBe('http://env:2');
    expect(resolveConnection({}, {}, stored).url).toBe('http://stored:8080');
    expect(resolveConnection({}, {}, {}).url).toBe('http://127.0.0.1:8080');
  });

  it('sends the stored token only to the URL that issued it; HOOKLINE_TOKEN goes anywhere', () => {
    const stored = { url: 'http://stored:8080', token: 'hlu_secret' };
    expect(resolveConnection({}, {}, stored).token).toBe('hlu_secret');
    expect(resolveConnection({ url: 'http://elsewhere:8080' }, {}, stored).token).toBeUndefined();
    expect(resolveConnection({ url: 'http://elsewhere:8080' }, { HOOKLINE_TOKEN: 'hk_env' }, stored).token).toBe(
      'hk_env',
    );
  });
});
