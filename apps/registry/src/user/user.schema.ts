import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ROLES, type Role } from '@hookline/auth';

/** A person who signs in with email and password. Only the password's scrypt hash is kept. */
@Schema({ collection: 'users', versionKey: false })
export class UserRecord {
  /** The user id (UUID). */
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: Number, required: true, index: true })
  subscriptionId: number;

  /** Lower-cased and trimmed; unique across subscriptions, since login names no subscription. */
  @Prop({ type: String, required: true, unique: true })
  email: string;

  @Prop({ type: String, required: true })
  passwordHash: string;

  @Prop({ type: [String], enum: ROLES, required: true })
  roles: Role[];

  @Prop({ type: Date, required: true })
  createdAt: Date;

  /** Key id (or `user:<id>`) of the admin that created it. */
  @Prop({ type: String, default: null })
  createdBy: string | null;

  /** Set when an admin disables the user: it can no longer sign in, and its sessions were revoked. */
  @Prop({ type: Date, default: null })
  disabledAt: Date | null;
}

export const UserSchema = SchemaFactory.createForClass(UserRecord);
