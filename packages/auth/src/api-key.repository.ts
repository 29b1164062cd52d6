import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiKeyRecord } from './api-key.schema';
import { constantTimeEqual, hashApiKey } from './keys';
import type { Principal, Role } from './principal';

export interface NewApiKey {
  id: string;
  name: string;
  hash: string;
  hint: string;
  roles: Role[];
  sharedSpaces: string[];
  createdBy: string | null;
}

/** All access to stored API keys. Everything but the authentication lookup is scoped to a subscription. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectModel(ApiKeyRecord.name) private readonly model: Model<ApiKeyRecord>) {}

  /** The authentication lookup: by hash alone, because the subscription is what the key tells us. */
  async findActiveByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.model.findOne({ hash, revokedAt: null }).lean<ApiKeyRecord>().exec();
  }

  /** Who a presented key speaks for, or null for an unknown or revoked key (HTTP and tunnel alike). */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const record = await this.findActiveByHash(hash);
    if (!record || !constantTimeEqual(record.hash, hash)) return null;
    return {
      subscriptionId: record.subscriptionId,
      keyId: record._id,
      roles: record.roles,
      sharedSpaces: record.sharedSpaces,
    };
  }

  /** Which of these keys of a subscription still authenticate: long-lived connections re-check their keys with it. */
  async activeIds(subscriptionId: number, keyIds: string[]): Promise<Set<string>> {
    const active = await this.model
      .find({ subscriptionId, _id: { $in: keyIds }, revokedAt: null }, { _id: 1 })
      .lean<Pick<ApiKeyRecord, '_id'>[]>()
      .exec();
    return new Set(active.map((record) => record._id));
  }

  async create(subscriptionId: number, key: NewApiKey): Promise<ApiKeyRecord> {
    const { id, ...rest } = key;
    const created = await this.model.create({
      _id: id,
      subscriptionId,
      ...rest,
      createdAt: new Date(),
      revokedAt: null,
    });
    return created.toObject<ApiKeyRecord>();
  }

  /**
   * Inserts the key unless one with its id exists already (revoked or not): bootstrap runs on every
   * start. A plain insert, so the record is whole: an upsert with `$setOnInsert` left `revokedAt`,
   * `createdBy` and `sharedSpaces` out on the embedded server (docs/storage.md), and such a live key
   * was listed as revoked.
   */
  async createIfAbsent(subscriptionId: number, key: NewApiKey): Promise<boolean> {
    if (await this.model.exists({ _id: key.id }).exec()) return false;
    try {
      await this.create(subscriptionId, key);
      return true;
    } catch (err) {
      // Another instance inserted it between the check and the insert.
      if ((err as { code?: unknown }).code === 11_000) return false;
      throw err;
    }
  }

  /** Gives the key a new value unless it has that one already (a new value is a new, active key). */
  async replaceIfChanged(id: string, hash: string, hint: string): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: id, hash: { $ne: hash } }, { $set: { hash, hint, createdAt: new Date(), revokedAt: null } })
      .exec();
    return result.modifiedCount > 0;
  }

  async list(subscriptionId: number): Promise<ApiKeyRecord[]> {
    return this.model.find({ subscriptionId }).sort({ createdAt: 1, _id: 1 }).lean<ApiKeyRecord[]>().exec();
  }

  /** Keys `issuerKeyId` created, in every subscription. */
  async listIssuedBy(issuerKeyId: string): Promise<ApiKeyRecord[]> {
    return this.model.find({ createdBy: issuerKeyId }).sort({ createdAt: 1, _id: 1 }).lean<ApiKeyRecord[]>().exec();
  }

  /** Revokes an active key `issuerKeyId` created, in whichever subscription; its subscription, or null. */
  async revokeIssuedBy(issuerKeyId: string, keyId: string): Promise<number | null> {
    const record = await this.model
      .findOneAndUpdate({ _id: keyId, createdBy: issuerKeyId, revokedAt: null }, { $set: { revokedAt: new Date() } })
      .lean<ApiKeyRecord>()
      .exec();
    return record?.subscriptionId ?? null;
  }

  /** True when an active key of that subscription was revoked now. */
  async revoke(subscriptionId: number, keyId: string): Promise<boolean> {
    const result = await this.model
      .updateOne({ _id: keyId, subscriptionId, revokedAt: null }, { $set: { revokedAt: new Date() } })
      .exec();
    return result.modifiedCount > 0;
  }
}
