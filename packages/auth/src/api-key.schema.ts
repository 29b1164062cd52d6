import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ROLES, type Role } from './principal';

/** An API key as stored: the key itself is never kept, only its SHA-256. */
@Schema({ collection: 'api_keys', versionKey: false })
export class ApiKeyRecord {
  /** The key id (UUID), shown in listings and used to revoke. */
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: Number, required: true, index: true })
  subscriptionId: number;

  @Prop({ type: String, required: true })
  name: string;

  @Prop({ type: String, required: true, unique: true })
  hash: string;

  /** The first characters of the key, so an admin can tell keys apart. */
  @Prop({ type: String, required: true })
  hint: string;

  @Prop({ type: [String], enum: ROLES, required: true })
  roles: Role[];

  @Prop({ type: [String], default: [] })
  sharedSpaces: string[];

  @Prop({ type: Date, required: true })
  createdAt: Date;

  /** Key id of the admin that created it; null for the bootstrap key. */
  @Prop({ type: String, default: null })
  createdBy: string | null;

  @Prop({ type: Date, default: null })
  revokedAt: Date | null;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKeyRecord);
