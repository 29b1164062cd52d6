import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '@hookline/auth';
import { Check, Field, integer, stringList, type Rule } from '../../validation/check';
import type { UserRecord } from '../user.schema';

/** Shorter passwords are guessable offline; longer ones only cost hashing time. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const email: Rule = (value, _object, property) =>
  typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())
    ? undefined
    : `${property} must be an email address`;

const password: Rule = (value, _object, property) =>
  typeof value === 'string' && value.length >= PASSWORD_MIN && value.length <= PASSWORD_MAX
    ? undefined
    : `${property} must be a string of ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`;

/** Any non-empty string: a login must not tell which passwords the policy would have refused. */
const given: Rule = (value, _object, property) =>
  typeof value === 'string' && value.length > 0 && value.length <= PASSWORD_MAX
    ? undefined
    : `${property} must be a non-empty string of at most ${PASSWORD_MAX} characters`;

/** `POST /api/v2/users`. SubscriptionID other than the caller's own is only for the bootstrap key. */
export class CreateUserDto {
  @Field('required', email) Email: string;
  @Field('required', password) Password: string;
  @Field('required', stringList(3, 32, { minItems: 1, allowed: ROLES })) Roles: Role[];
  @Check((value, object, property) =>
    value === undefined ? undefined : integer(1, 2 ** 31 - 1)(value, object, property),
  )
  SubscriptionID?: number;
}

/** `PATCH /api/v2/users/{id}`: the user's roles, replaced whole. */
export class UpdateUserRolesDto {
  @Field('required', stringList(3, 32, { minItems: 1, allowed: ROLES })) Roles: Role[];
}

/** `POST /users/login`, in Devopness's words. */
export class LoginDto {
  @Field('required', email) email: string;
  @Field('required', given) password: string;
}

/** What Devopness's login answers; `access_token` goes in `Authorization: Bearer`. */
export interface LoginResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface UserResponse {
  UserID: string;
  Email: string;
  Roles: Role[];
  SubscriptionID: number;
  CreationDate: string;
  CreatedBy: string | null;
  Disabled: boolean;
}

export class LoginResponseDto implements LoginResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`.' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires.' }) expires_in!: number;
}

export class UserResponseDto implements UserResponse {
  @ApiProperty() UserID!: string;
  @ApiProperty({ format: 'email' }) Email!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) Roles!: Role[];
  @ApiProperty({ type: 'integer' }) SubscriptionID!: number;
  @ApiProperty({ format: 'date-time' }) CreationDate!: string;
  @ApiProperty({ type: String, nullable: true }) CreatedBy!: string | null;
  @ApiProperty({ description: 'A disabled user cannot sign in; its tokens stopped working.' }) Disabled!: boolean;
}

export class UserListDto {
  @ApiProperty({ type: [UserResponseDto] }) Results!: UserResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
}

/** The password hash never leaves the service. */
export function toUserResponse(record: UserRecord): UserResponse {
  return {
    UserID: record._id,
    Email: record.email,
    Roles: record.roles,
    SubscriptionID: record.subscriptionId,
    CreationDate: record.createdAt.toISOString(),
    CreatedBy: record.createdBy,
    Disabled: record.disabledAt !== null,
  };
}

/** Emails compare case-insensitively, as people type them. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}
