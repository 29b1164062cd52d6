import { ROLES, type ApiKeyRecord, type Role } from '@hookline/auth';
import { Check, Field, integer, stringList, text } from '../../webhook/dto/check';

/** `POST /apikey`. SubscriptionID other than the caller's own is only for the bootstrap (operator) key. */
export class CreateApiKeyDto {
  @Field('required', text(256)) Name: string;
  @Field('required', stringList(3, 32, { minItems: 1, allowed: ROLES })) Roles: Role[];
  @Field('optional', stringList(100, 64)) SharedSpaces?: string[];
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

export function toApiKeyResponse(record: ApiKeyRecord): ApiKeyResponse {
  return {
    KeyID: record._id,
    Name: record.name,
    Hint: record.hint,
    Roles: record.roles,
    SharedSpaces: record.sharedSpaces,
    SubscriptionID: record.subscriptionId,
    CreationDate: record.createdAt.toISOString(),
    CreatedBy: record.createdBy,
    Revoked: record.revokedAt !== null,
  };
}
