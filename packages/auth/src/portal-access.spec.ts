import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import type { ApiKeyRepository } from './api-key.repository';
import { generatePortalToken, type PortalLinkRepository } from './portal-link.repository';
import type { PortalScope } from './portal-link.schema';
import { PortalAccess, type Principal } from './principal';
import type { UserSessionRepository } from './user-session.repository';

class Handlers {
  @PortalAccess('read-only') read(): void {}
  @PortalAccess('manage-webhooks') write(): void {}
  unmarked(): void {}
}

describe('ApiKeyGuard with portal links', () => {
  function call(scope: PortalScope, handler: keyof Handlers): Promise<Principal | undefined> {
    const principal: Principal = {
      subscriptionId: 510,
      keyId: 'portal:l1',
      roles: scope === 'manage-webhooks' ? ['integration'] : ['read-only'],
      sharedSpaces: [],
      portal: { linkId: 'l1', scope },
    };
    const portals = { authenticate: jest.fn(async () => principal) } as unknown as PortalLinkRepository;
    const none = { authenticate: jest.fn(async () => null) };
    const guard = new ApiKeyGuard(
      none as unknown as ApiKeyRepository,
      none as unknown as UserSessionRepository,
      new Reflector(),
      portals,
    );
    const req: { headers: Record<string, string>; principal?: Principal } = {
      headers: { authorization: `Bearer ${generatePortalToken()}` },
    };
    const context = {
      switchToHttp: () => ({ getRequest: () => req }),
      getHandler: () => Handlers.prototype[handler],
      getClass: () => Handlers,
    } as unknown as ExecutionContext;
    return guard.canActivate(context).then(() => req.principal);
  }

  it('admits a link to the handlers opened to its scope', async () => {
    await expect(call('read-only', 'read')).resolves.toMatchObject({ subscriptionId: 510 });
    await expect(call('manage-webhooks', 'read')).resolves.toBeDefined();
    await expect(call('manage-webhooks', 'write')).resolves.toBeDefined();
  });

  it('refuses a read-only link a write, and every link an unmarked handler', async () => {
    await expect(call('read-only', 'write')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'This portal link is read-only',
    });
    await expect(call('manage-webhooks', 'unmarked')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'A portal link cannot call this',
    });
  });
});
