import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { hashApiKey } from './keys';
import type { Principal } from './principal';
import { PORTAL_LINK_RETENTION_DAYS, PortalLinkRecord } from './portal-link.schema';

/** Every portal token starts with this, so the guard tells it from a key or a user token without a lookup. */
export const PORTAL_TOKEN_PREFIX = 'hlp_';

/** A new portal token: 32 random bytes, base64url. Shown once; only its SHA-256 is stored. */
export function generatePortalToken(): string {
  return PORTAL_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isPortalToken(credential: string): boolean {
  return credential.startsWith(PORTAL_TOKEN_PREFIX);
}

/**
 * All access to portal links. Deliberately uncached: each request reads the record, so a
 * revocation or expiry holds on every instance at the next request.
 */
@Injectable()
export class PortalLinkRepository {
  constructor(@InjectModel(PortalLinkRecord.name) private readonly model: Model<PortalLinkRecord>) {}

  /** The link a presented token belongs to, or null when it is unknown, expired or revoked. */
  async find(token: string, now = new Date()): Promise<PortalLinkRecord | null> {
    return this.model
      .findOne({ _id: hashApiKey(token), revokedAt: null, expiresAt: { $gt: now } })
      .lean<PortalLinkRecord>()
      .exec();
  }

  /** Why a token that did not authenticate is refused: the 401's message for whoever holds the link. */
  async refusalOf(token: string, now = new Date()): Promise<string> {
    const link = await this.model
      .findOne({ _id: hashApiKey(token) }, { expiresAt: 1, revokedAt: 1 })
      .lean<Pick<PortalLinkRecord, 'expiresAt' | 'revokedAt'>>()
      .exec();
    if (link?.revokedAt) return 'This portal link was revoked';
    if (link && link.expiresAt <= now) return `This portal link expired at ${link.expiresAt.toISOString()}`;
    return `This portal link does not exist (expired links are deleted after ${PORTAL_LINK_RETENTION_DAYS} days)`;
  }

  /** Who a portal token speaks for: its tenant, limited by the guard to handlers open to its scope. */
  async authenticate(token: string, now = new Date()): Promise<Principal | null> {
    const link = await this.find(token, now);
    if (!link) return null;
    return {
      subscriptionId: link.subscriptionId,
      keyId: portalKeyId(link.linkId),
      // Webhook writes are open to `integration`; the portal scope narrows what that reaches.
      roles: link.scope === 'manage-webhooks' ? ['integration'] : ['read-only'],
      sharedSpaces: [],
      portal: { linkId: link.linkId, scope: link.scope },
    };
  }

  async create(token: string, link: Omit<PortalLinkRecord, '_id' | 'revokedAt'>): Promise<PortalLinkRecord> {
    const created = await this.model.create({ _id: hashApiKey(token), ...link, revokedAt: null });
    return created.toObject<PortalLinkRecord>();
  }

  /** Links of the given tenants (all tenants when null), newest first. */
  async list(subscriptionIds: number[] | null): Promise<PortalLinkRecord[]> {
    const filter = subscriptionIds === null ? {} : { subscriptionId: { $in: subscriptionIds } };
    return this.model.find(filter).sort({ createdAt: -1 }).lean<PortalLinkRecord[]>().exec();
  }

  /** Revokes a live link of the tenant (any tenant when null); false when there is none. */
  async revoke(subscriptionId: number | null, linkId: string): Promise<boolean> {
    const filter = subscriptionId === null ? { linkId } : { linkId, subscriptionId };
    const result = await this.model
      .updateOne({ ...filter, revokedAt: null }, { $set: { revokedAt: new Date() } })
      .exec();
    return result.modifiedCount === 1;
  }
}

/** What a portal principal shows where a key id is expected (audit fields): never a real key id. */
export function portalKeyId(linkId: string): string {
  return `portal:${linkId}`;
}
