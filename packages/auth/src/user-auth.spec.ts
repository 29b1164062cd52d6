import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import type { ApiKeyRepository } from './api-key.repository';
import { generateApiKey } from './keys';
import { hashPassword, PASSWORD_COST, verifyNoPassword, verifyPassword } from './password';
import type { PortalLinkRepository } from './portal-link.repository';
import type { Principal, Role } from './principal';
import type { UserSessionRepository } from './user-session.repository';
import { generateUserToken, isUserToken, USER_TOKEN_PREFIX } from './user-token';

/** A cheap cost keeps the suite fast; the default cost is checked once below. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts each hash, never contains the password, and records its cost', async () => {
    const a = await hashPassword('same password here', FAST);
    const b = await hashPassword('same password here', FAST);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('uses the default cost, which scrypt accepts, when none is given', async () => {
    const stored = await hashPassword('default cost password');
    expect(stored.startsWith(`scrypt$${PASSWORD_COST.N}$${PASSWORD_COST.r}$${PASSWORD_COST.p}$`)).toBe(true);
    await expect(verifyPassword('default cost password', stored)).resolves.toBe(true);
  });

  it('treats the same text in another Unicode form as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait!!', FAST);
    await expect(verifyPassword('cafe\u0301 au lait!!', stored)).resolves.toBe(true);
  });

  it('answers false, not an error, for a malformed or foreign hash', async () => {
    const stored = await hashPassword('some password 1', FAST);
    for (const bad of ['', 'plain', stored.replace('scrypt', 'bcrypt'), stored.slice(0, -4), 'scrypt$x$8$1$a$b']) {
      await expect(verifyPassword('some password 1', bad)).resolves.toBe(false);
    }
    await expect(verifyNoPassword('anything')).resolves.toBe(false);
  });
});

describe('user access tokens', () => {
  it('are random, prefixed, and told apart from API keys', () => {
    const a = generateUserToken();
    expect(a.startsWith(USER_TOKEN_PREFIX)).toBe(true);
    expect(a.length).toBeGreaterThanOrEqual(USER_TOKEN_PREFIX.length + 43);
    expect(generateUserToken()).not.toBe(a);
    expect(isUserToken(a)).toBe(true);
    expect(isUserToken(generateApiKey())).toBe(false);
  });
});

describe('ApiKeyGuard with user tokens', () => {
  const userPrincipal: Principal = {
    subscriptionId: 300,
    keyId: 'user:u1',
    roles: ['read-only'],
    sharedSpaces: [],
    userId: 'u1',
    sessionId: 'abc',
  };
  const keyPrincipal: Principal = { subscriptionId: 100, keyId: 'k1', roles: ['admin'], sharedSpaces: [] };

  function guard(allowed?: Role[]) {
    const keys = { authenticate: jest.fn(async () => keyPrincipal) };
    const sessions = { authenticate: jest.fn(async () => userPrincipal) };
    const reflector = { getAllAndOverride: () => allowed } as unknown as Reflector;
    const g = new ApiKeyGuard(
      keys as unknown as ApiKeyRepository,
      sessions as unknown as UserSessionRepository,
      reflector,
      { authenticate: jest.fn(async () => null) } as unknown as PortalLinkRepository,
    );
    const call = (authorization: string) => {
      const req: { headers: Record<string, string>; principal?: Principal } = { headers: { authorization } };
      const context = {
        switchToHttp: () => ({ getRequest: () => req }),
        getHandler: () => undefined,
        getClass: () => undefined,
      } as unknown as ExecutionContext;
      return g.canActivate(context).then(() => req.principal);
    };
    return { keys, sessions, call };
  }

  it('sends a user token to the sessions and anything else to the API keys', async () => {
    const { keys, sessions, call } = guard();
    await expect(call(`Bearer ${generateUserToken()}`)).resolves.toBe(userPrincipal);
    await expect(call(`Bearer ${generateApiKey()}`)).resolves.toBe(keyPrincipal);
    expect(sessions.authenticate).toHaveBeenCalledTimes(1);
    expect(keys.authenticate).toHaveBeenCalledTimes(1);
  });

  it("enforces the user's roles and names the user in the refusal", async () => {
    await expect(guard(['admin']).call(`Bearer ${generateUserToken()}`)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'This user needs one of the roles: admin',
    });
    await expect(guard(['admin', 'read-only']).call(`Bearer ${generateUserToken()}`)).resolves.toBe(userPrincipal);
  });
});
