import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ROLES, type Role } from './principal';

/**
 * One sign-in of a user: what its access token may do until it expires or is revoked. The user's
 * tenant and roles are copied in at login so that authenticating a token is one lookup, as for keys.
 */
@Schema({ collection: 'user_sessions', versionKey: false })
export class UserSessionRecord {
  /**
   * SHA-256 of the access token (the token itself is never kept). Being the `_id` makes every
   * request's lookup a primary-key read on every supported server (docs/storage.md).
   */
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: String, required: true, index: true })
  userId: string;

  @Prop({ type: Number, required: true })
  subscriptionId: number;

  @Prop({ type: [String], enum: ROLES, required: true })
  roles: Role[];

  @Prop({ type: Date, required: true })
  createdAt: Date;

  @Prop({ type: Date, required: true })
  expiresAt: Date;

  @Prop({ type: Date, default: null })
  revokedAt: Date | null;
}

export const UserSessionSchema = SchemaFactory.createForClass(UserSessionRecord);
// Expired sessions authenticate nothing; the database removes them.
UserSessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
