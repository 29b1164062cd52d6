import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type ApiKeyRecord, type Role } from '@hookline/auth';
import { Check, Field, integer, stringList, text } from '../../validation/check';

/** `POST /apikey`. SubscriptionID other than the caller's own is only for the bootstrap (operator) key. */
export class CreateApiKeyDto {
  @Field('required', text(256), 'What the key is for.') Name: string;
  @Field('required', stringList(3, 32, { minItems: 1, allowed: ROLES }), 'What the key may do.') Roles: Role[];
  @Field('optional', stringList(100, 64), 'Shared spaces whose tunnel the key may open.') SharedSpaces?: string[];
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

export interface ApiKeyResponse {
  KeyID: string;
  Name: string;
  Hint: string;
  Roles: Role[];
  SharedSpaces: string[];
  SubscriptionID: number;
  CreationDate: string;
  CreatedBy: string | null;
  Revoked: boolean;
}

/** The key itself is never stored; only the answer to its creation carries it. */
export interface CreatedApiKeyResponse extends ApiKeyResponse {
  Key: string;
}

export class ApiKeyResponseDto implements ApiKeyResponse {
  @ApiProperty({ description: 'Id to revoke it with.' }) KeyID!: string;
  @ApiProperty() Name!: string;
  @ApiProperty({ description: 'The key’s first characters, to recognise it.' }) Hint!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) Roles!: Role[];
  @ApiProperty({ type: [String] }) SharedSpaces!: string[];
  @ApiProperty({ type: 'integer' }) SubscriptionID!: number;
  @ApiProperty({ format: 'date-time' }) CreationDate!: string;
  @ApiProperty({ type: String, nullable: true }) CreatedBy!: string | null;
  @ApiProperty() Revoked!: boolean;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto implements CreatedApiKeyResponse {
  @ApiProperty({ description: 'The key, shown this once: send it as `Authorization: Bearer <key>`.' }) Key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) Results!: ApiKeyResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
}

/** `GET /apikey/current`: who the caller is, so a client (the console) can show its tenant and roles. */
export class CurrentPrincipalDto {
  @ApiProperty({ type: 'integer', description: 'The caller’s tenant.' }) SubscriptionID!: number;
  @ApiProperty({ description: 'The key (or session) the caller used.' }) KeyID!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) Roles!: Role[];
  @ApiProperty({ type: [String] }) SharedSpaces!: string[];
  @ApiProperty({
    description:
      'True for the operator’s bootstrap key (HOOKLINE_ADMIN_KEY): it may name another tenant when it creates keys and users.',
  })
  Operator!: boolean;
}

/** Fields a record may lack (bootstrap keys stored by older registries) read as the key authenticates them: not revoked. */
export function toApiKeyResponse(record: ApiKeyRecord): ApiKeyResponse {
  return {
    KeyID: record._id,
    Name: record.name,
    Hint: record.hint,
    Roles: record.roles,
    SharedSpaces: record.sharedSpaces ?? [],
    SubscriptionID: record.subscriptionId,
    CreationDate: record.createdAt.toISOString(),
    CreatedBy: record.createdBy ?? null,
    Revoked: record.revokedAt instanceof Date,
  };
}
