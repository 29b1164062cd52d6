import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PORTAL_SCOPES, type PortalLinkRecord, type PortalScope } from '@hookline/auth';
import { Check, documented, Field, httpUrl, integer, oneOf, text } from '../../validation/check';

/** A week: long enough to hand a link over, short enough that a forgotten one dies. */
export const DEFAULT_PORTAL_HOURS = 7 * 24;
const MAX_PORTAL_HOURS = 365 * 24;

const accentColor = documented(
  (value, _object, property) =>
    typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)
      ? undefined
      : `${property} must be a colour as #rrggbb`,
  { type: String, pattern: '^#[0-9a-fA-F]{6}$', example: '#0b7285' },
);

/** `POST /api/v2/portal-links`. SubscriptionID other than the caller's own is only for the bootstrap key. */
export class CreatePortalLinkDto {
  @Field('required', oneOf(PORTAL_SCOPES), 'What the link may do: look only, or also change webhooks and replay.')
  Scope: PortalScope;
  @Field('required', text(80), 'The tenant’s name as the portal shows it.') DisplayName: string;
  @Field('optional', httpUrl, 'An http(s) URL of the tenant’s logo.') LogoURL?: string;
  @Field('optional', accentColor, 'The portal’s primary colour.') AccentColor?: string;
  @Field('optional', integer(1, MAX_PORTAL_HOURS), `Hours until the link stops working (${DEFAULT_PORTAL_HOURS}).`)
  ExpiresInHours?: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 2 ** 31 - 1,
    description: 'The tenant; only the operator’s bootstrap key may name another than its own.',
  })
  @Check((value, object, property) =>
    value === undefined ? undefined : integer(1, 2 ** 31 - 1)(value, object, property),
  )
  SubscriptionID?: number;
}

export class PortalBrandingDto {
  @ApiProperty() DisplayName!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) LogoURL!: string | null;
  @ApiProperty({ type: String, nullable: true, pattern: '^#[0-9a-fA-F]{6}$' }) AccentColor!: string | null;
}

export interface PortalLinkResponse {
  LinkID: string;
  SubscriptionID: number;
  Scope: PortalScope;
  Branding: PortalBrandingDto;
  CreationDate: string;
  ExpiresAt: string;
  CreatedBy: string | null;
  Revoked: boolean;
}

export interface CreatedPortalLinkResponse extends PortalLinkResponse {
  URL: string;
  Token: string;
}

export class PortalLinkResponseDto implements PortalLinkResponse {
  @ApiProperty({ description: 'Id to revoke it with.' }) LinkID!: string;
  @ApiProperty({ type: 'integer' }) SubscriptionID!: number;
  @ApiProperty({ enum: PORTAL_SCOPES }) Scope!: PortalScope;
  @ApiProperty({ type: PortalBrandingDto }) Branding!: PortalBrandingDto;
  @ApiProperty({ format: 'date-time' }) CreationDate!: string;
  @ApiProperty({ format: 'date-time' }) ExpiresAt!: string;
  @ApiProperty({ type: String, nullable: true }) CreatedBy!: string | null;
  @ApiProperty() Revoked!: boolean;
}

export class CreatedPortalLinkResponseDto extends PortalLinkResponseDto implements CreatedPortalLinkResponse {
  @ApiProperty({ description: 'The console URL to hand to the tenant; the token is in its fragment.' }) URL!: string;
  @ApiProperty({ description: 'The token, shown this once: `Authorization: Bearer <token>`.' }) Token!: string;
}

export class PortalLinkListDto {
  @ApiProperty({ type: [PortalLinkResponseDto] }) Results!: PortalLinkResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
}

/** `GET /api/v2/portal`: what the console needs to present a portal link's holder. */
export class PortalDto {
  @ApiProperty({ type: 'integer' }) SubscriptionID!: number;
  @ApiProperty({ enum: PORTAL_SCOPES }) Scope!: PortalScope;
  @ApiProperty({ type: PortalBrandingDto }) Branding!: PortalBrandingDto;
  @ApiProperty({ format: 'date-time' }) ExpiresAt!: string;
}

export function toBranding(record: PortalLinkRecord): PortalBrandingDto {
  return {
    DisplayName: record.branding.displayName,
    LogoURL: record.branding.logoUrl,
    AccentColor: record.branding.accentColor,
  };
}

/** The token is never stored; only the answer to the creation carries it. */
export function toPortalLinkResponse(record: PortalLinkRecord): PortalLinkResponse {
  return {
    LinkID: record.linkId,
    SubscriptionID: record.subscriptionId,
    Scope: record.scope,
    Branding: toBranding(record),
    CreationDate: record.createdAt.toISOString(),
    ExpiresAt: record.expiresAt.toISOString(),
    CreatedBy: record.createdBy,
    Revoked: record.revokedAt instanceof Date,
  };
}
