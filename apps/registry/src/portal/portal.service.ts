import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  generatePortalToken,
  isBootstrapKey,
  PortalLinkRepository,
  type PortalLinkRecord,
  type Principal,
} from '@hookline/auth';
import { ErrorCode, HooklineError } from '@hookline/service-kit';
import { DEFAULT_PORTAL_HOURS, type CreatePortalLinkDto } from './dto/portal.dto';

/** Tenant portal links: made, listed and revoked by admins; presented by the console to their holders. */
@Injectable()
export class PortalService {
  constructor(private readonly links: PortalLinkRepository) {}

  async create(
    principal: Principal,
    body: CreatePortalLinkDto,
    consoleBase: string,
  ): Promise<{ record: PortalLinkRecord; token: string; url: string }> {
    const subscriptionId = body.SubscriptionID ?? principal.subscriptionId;
    // As for API keys: only the operator's bootstrap key opens other subscriptions.
    if (subscriptionId !== principal.subscriptionId && !isBootstrapKey(principal)) {
      throw new HooklineError(
        ErrorCode.Forbidden,
        'Only the bootstrap admin key can make portal links for another subscription',
      );
    }
    const token = generatePortalToken();
    const now = new Date();
    const record = await this.links.create(token, {
      linkId: randomUUID(),
      subscriptionId,
      scope: body.Scope,
      branding: {
        displayName: body.DisplayName.trim(),
        logoUrl: body.LogoURL ?? null,
        accentColor: body.AccentColor?.toLowerCase() ?? null,
      },
      createdBy: principal.keyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + (body.ExpiresInHours ?? DEFAULT_PORTAL_HOURS) * 3_600_000),
    });
    // In the fragment, so the token never reaches a server log or a Referer header.
    return { record, token, url: `${consoleBase}/portal#token=${token}` };
  }

  /** The subscription's links; the bootstrap key sees every tenant's. */
  async list(principal: Principal): Promise<PortalLinkRecord[]> {
    return this.links.list(isBootstrapKey(principal) ? null : [principal.subscriptionId]);
  }

  /** Stops the link at once: every instance reads the record on each request. */
  async revoke(principal: Principal, linkId: string): Promise<void> {
    const scope = isBootstrapKey(principal) ? null : principal.subscriptionId;
    if (!(await this.links.revoke(scope, linkId))) throw HooklineError.notFound('Portal link');
  }

  /** The link the caller holds (404 for any other caller: it has no portal). */
  async current(principal: Principal, token: string): Promise<PortalLinkRecord> {
    const link = principal.portal ? await this.links.find(token) : null;
    if (!link) throw HooklineError.notFound('Portal link');
    return link;
  }
}
