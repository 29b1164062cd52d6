import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Role } from '@hookline/auth';
import { UserRecord } from './user.schema';

/** Duplicate key: the unique email index refused the insert. */
const DUPLICATE_KEY = 11000;

/** All access to users. Everything but the login lookup is scoped to a subscription. */
@Injectable()
export class UserRepository {
  constructor(@InjectModel(UserRecord.name) private readonly model: Model<UserRecord>) {}

  /** The login lookup: by email alone, because the subscription is what the user tells us. */
  async findActiveByEmail(email: string): Promise<UserRecord | null> {
    return this.model.findOne({ email, disabledAt: null }).lean<UserRecord>().exec();
  }

  /** The new user, or null when the email is taken. */
  async create(user: Omit<UserRecord, 'disabledAt'>): Promise<UserRecord | null> {
    try {
      const created = await this.model.create({ ...user, disabledAt: null });
      return created.toObject<UserRecord>();
    } catch (err) {
      if ((err as { code?: unknown }).code === DUPLICATE_KEY) return null;
      throw err;
    }
  }

  async isActive(userId: string): Promise<boolean> {
    return (await this.model.exists({ _id: userId, disabledAt: null }).exec()) !== null;
  }

  async list(subscriptionId: number): Promise<UserRecord[]> {
    return this.model.find({ subscriptionId }).sort({ createdAt: 1, _id: 1 }).lean<UserRecord[]>().exec();
  }

  /** The active user of that subscription with its new roles; null when there is none. */
  async setRoles(subscriptionId: number, userId: string, roles: Role[]): Promise<UserRecord | null> {
    return this.model
      .findOneAndUpdate({ _id: userId, subscriptionId, disabledAt: null }, { $set: { roles } }, { new: true })
      .lean<UserRecord>()
      .exec();
  }

  /** True when an active user of that subscription was disabled now. */
  async disable(subscriptionId: number, userId: string): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: userId, subscriptionId, disabledAt: null }, { $set: { disabledAt: new Date() } })
      .exec();
    return result.modifiedCount > 0;
  }
}
