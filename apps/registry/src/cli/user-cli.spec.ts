import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUserCommand, stackTarget } from './user-cli';

describe('hookline user add: command line', () => {
  it('reads the email, roles and subscription, with admin as the default role', () => {
    expect(parseUserCommand(['add', 'ada@example.com'])).toEqual({ email: 'ada@example.com', roles: ['admin'] });
    expect(
      parseUserCommand(['add', 'b@example.com', '--roles', 'read-only, integration', '--subscription', '7']),
    ).toEqual({ email: 'b@example.com', roles: ['read-only', 'integration'], subscriptionId: 7 });
  });

  it('says what is wrong with a bad command line', () => {
    expect(() => parseUserCommand([])).toThrow('missing command');
    expect(() => parseUserCommand(['remove', 'a@b.co'])).toThrow('unknown command: user remove');
    expect(() => parseUserCommand(['add'])).toThrow('missing <email>');
    expect(() => parseUserCommand(['add', 'a@b.co', 'extra'])).toThrow('unexpected argument: extra');
    expect(() => parseUserCommand(['add', 'a@b.co', '--subscription', 'x'])).toThrow(/--subscription/);
    // A password on the command line would show in `ps`: there is no such option.
    expect(() => parseUserCommand(['add', 'a@b.co', '--password', 'secret'])).toThrow(/password/);
  });
});

describe('hookline user add: finding the running stack', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hookline-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the front door's URL from stack.json, the admin key from its file, and the environment over both", () => {
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ url: 'http://127.0.0.1:8080', programs: [] }));
    writeFileSync(join(dir, 'admin-key'), 'hk_state\n');
    expect(stackTarget({}, dir)).toEqual({ url: 'http://127.0.0.1:8080', adminKey: 'hk_state' });
    expect(stackTarget({ HOOKLINE_REGISTRY_URL: 'http://h:1', HOOKLINE_ADMIN_KEY: 'hk_env' }, dir)).toEqual({
      url: 'http://h:1',
      adminKey: 'hk_env',
    });
  });

  it('falls back to the kept admin key and says how to start the stack when none runs', () => {
    writeFileSync(join(dir, 'admin-key'), 'hk_kept\n');
    expect(stackTarget({ HOOKLINE_REGISTRY_URL: 'http://h:1' }, dir).adminKey).toBe('hk_kept');
    expect(() => stackTarget({}, dir)).toThrow(/\.\/hookline up/);
  });
});
