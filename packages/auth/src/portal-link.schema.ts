import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** What a portal link lets its holder do within its one tenant. */
export const PORTAL_SCOPES = ['read-only', 'manage-webhooks'] as const;
export type PortalScope = (typeof PORTAL_SCOPES)[number];

/**
 * How long an expired link stays listed (as expired) before it is deleted: long enough for an admin
 * to see why a tenant's link stopped working, short enough that the list does not grow forever.
 */
export const PORTAL_LINK_RETENTION_DAYS = 7;

/** How the console presents the tenant to a portal link's holder. */
export interface PortalBranding {
  displayName: string;
  logoUrl: string | null;
  accentColor: string | null;
}

/**
 * A portal link: an expiring, scoped token for one tenant, made by an admin. Kept like a user
 * session so that every request's check is one primary-key read (also on FerretDB 1.x).
 */
@Schema({ collection: 'portal_links', versionKey: false })
export class PortalLinkRecord {
  /** SHA-256 of the token; the token itself is never kept. */
  @Prop({ type: String, required: true })
  _id: string;

  /** The id admins see and revoke by (the hash stays internal). */
  @Prop({ type: String, required: true, index: true, unique: true })
  linkId: string;

  @Prop({ type: Number, required: true, index: true })
  subscriptionId: number;

  @Prop({ type: String, enum: PORTAL_SCOPES, required: true })
  scope: PortalScope;

  @Prop({ type: Object, required: true })
  branding: PortalBranding;

  @Prop({ type: String, default: null })
  createdBy: string | null;

  @Prop({ type: Date, required: true })
  createdAt: Date;

  @Prop({ type: Date, required: true })
  expiresAt: Date;

  @Prop({ type: Date, default: null })
  revokedAt: Date | null;
}

export const PortalLinkSchema = SchemaFactory.createForClass(PortalLinkRecord);
// Deleted PORTAL_LINK_RETENTION_DAYS after expiry; where the server has no TTL indexes the
// DatabaseModule's sweep does it.
PortalLinkSchema.index({ expiresAt: 1 }, { expireAfterSeconds: PORTAL_LINK_RETENTION_DAYS * 24 * 60 * 60 });
