import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { hashApiKey } from './keys';
import type { Principal } from './principal';
import { UserSessionRecord } from './user-session.schema';

/** All access to user sessions: created at login, looked up by every service, revoked by the registry. */
@Injectable()
export class UserSessionRepository {
  constructor(@InjectModel(UserSessionRecord.name) private readonly model: Model<UserSessionRecord>) {}

  /** Who a presented access token speaks for, or null when it is unknown, expired or revoked. */
  async authenticate(token: string, now = new Date()): Promise<Principal | null> {
    const record = await this.model
      .findOne({ _id: hashApiKey(token), revokedAt: null, expiresAt: { $gt: now } })
      .lean<UserSessionRecord>()
      .exec();
    if (!record) return null;
    return {
      subscriptionId: record.subscriptionId,
      keyId: userKeyId(record.userId),
      roles: record.roles,
      sharedSpaces: [],
      userId: record.userId,
      sessionId: record._id,
    };
  }

  /** Stores the session of a new access token, keyed by the token's hash. */
  async create(token: string, session: Omit<UserSessionRecord, '_id' | 'revokedAt'>): Promise<void> {
    await this.model.create({ _id: hashApiKey(token), ...session, revokedAt: null });
  }

  /** Logout: the session's token stops authenticating on every service at its next request. */
  async revoke(sessionId: string): Promise<void> {
    await this.model.updateOne({ _id: sessionId, revokedAt: null }, { $set: { revokedAt: new Date() } }).exec();
  }

  /** Every live session of a user ends (the user was disabled). */
  async revokeAllOf(userId: string): Promise<number> {
    const result = await this.model.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: new Date() } }).exec();
    return result.modifiedCount;
  }
}

/**
 * What a user's principal shows where a key id is expected (audit fields such as an API key's
 * createdBy): never a real key id, so no rule keyed on a key id ever matches a user by accident.
 */
export function userKeyId(userId: string): string {
  return `user:${userId}`;
}
