import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { PortalScope } from './portal-link.schema';

/** Roles an API key or a user can carry. `integration` is the Octane CI/CD Integration role (tunnel listeners). */
export const ROLES = ['admin', 'integration', 'read-only'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key or user token by ApiKeyGuard, scoped to one subscription (tenant). */
export interface Principal {
  subscriptionId: number;
  keyId: string;
  roles: Role[];
  sharedSpaces: string[];
  /** Set when a signed-in user calls with an access token rather than an API key. */
  userId?: string;
  /** The user's sign-in session (what logout ends). */
  sessionId?: string;
  /** Set when the caller holds a tenant portal link: it reaches only handlers marked @PortalAccess. */
  portal?: { linkId: string; scope: PortalScope };
}

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Handler parameter: the authenticated caller. */
export const Principal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  // Reaching a handler without a principal means the guard is missing: a programming error, not a 401.
  if (!principal) throw new Error('ApiKeyGuard did not run before @Principal()');
  return principal;
});

export const ROLES_KEY = Symbol('hookline:roles');

/** Only keys with one of these roles may call the handler (or every handler of the controller). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export const PORTAL_ACCESS_KEY = Symbol('hookline:portal-access');

/**
 * Opens a handler to portal links with the given scope (`manage-webhooks` also passes `read-only`
 * handlers). Unmarked handlers refuse every portal link, so a new endpoint is closed to portals.
 */
export const PortalAccess = (scope: PortalScope): MethodDecorator & ClassDecorator =>
  SetMetadata(PORTAL_ACCESS_KEY, scope);

/** The subject token and log label of a tenant. */
export function tenantOf(principal: Pick<Principal, 'subscriptionId'>): string {
  return String(principal.subscriptionId);
}

/** Fixed id of the operator's bootstrap key (made by the registry from HOOKLINE_ADMIN_KEY). */
export const BOOTSTRAP_KEY_ID = '00000000-0000-4000-8000-000000000000';

/** True for the operator's bootstrap admin key, the one principal that may look beyond its own subscription. */
export function isBootstrapKey(principal: Pick<Principal, 'keyId' | 'userId'>): boolean {
  return principal.userId === undefined && principal.keyId === BOOTSTRAP_KEY_ID;
}
