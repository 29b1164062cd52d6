import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, HooklineError } from '@hookline/service-kit';
import type { Request } from 'express';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { PortalLinkRepository, isPortalToken } from './portal-link.repository';
import type { PortalScope } from './portal-link.schema';
import { PORTAL_ACCESS_KEY, ROLES_KEY, type AuthenticatedRequest, type Principal, type Role } from './principal';
import { UserSessionRepository } from './user-session.repository';
import { isUserToken } from './user-token';

export const SESSION_COOKIE = 'ZSESSIONID';

/** The key from `Authorization: Bearer <key>` or else the Rally-style `ZSESSIONID` cookie. */
export function credentialOf(req: Pick<Request, 'headers'>): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value.length > 0 ? decodeURIComponent(value.replace(/^"(.*)"$/, '$1')) : undefined;
    }
  }
  return undefined;
}

/**
 * Authenticates every request by API key or user access token and enforces @Roles. Every failure
 * is the same 401, so a caller learns nothing about which keys exist or were revoked.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyAuthenticator,
    private readonly sessions: UserSessionRepository,
    private readonly reflector: Reflector,
    private readonly portals: PortalLinkRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = credentialOf(req);
    if (!key) throw unauthenticated();
    const principal: Principal | null = isUserToken(key)
      ? await this.sessions.authenticate(key)
      : isPortalToken(key)
        ? await this.portals.authenticate(key)
        : await this.keys.authenticate(key);
    if (!principal) throw unauthenticated(isPortalToken(key) ? await this.portals.refusalOf(key) : undefined);
    req.principal = principal;
    if (principal.portal) this.checkPortalScope(context, principal.portal.scope);
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed && !principal.roles.some((role) => allowed.includes(role))) {
      throw new HooklineError(
        ErrorCode.Forbidden,
        `This ${principal.userId ? 'user' : 'API key'} needs one of the roles: ${allowed.join(', ')}`,
      );
    }
    return true;
  }

  private checkPortalScope(context: ExecutionContext, scope: PortalScope): void {
    const needed = this.reflector.getAllAndOverride<PortalScope | undefined>(PORTAL_ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!needed) throw new HooklineError(ErrorCode.Forbidden, 'A portal link cannot call this');
    if (needed === 'manage-webhooks' && scope !== 'manage-webhooks') {
      throw new HooklineError(ErrorCode.Forbidden, 'This portal link is read-only');
    }
  }
}

function unauthenticated(message = 'Unauthorized'): HooklineError {
  return new HooklineError(ErrorCode.Unauthenticated, message, [], { 'WWW-Authenticate': 'Bearer' });
}
