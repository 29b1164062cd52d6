import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ApiKeyAuthenticator,
  ApiKeyRepository,
  apiKeyHint,
  BOOTSTRAP_KEY_ID,
  generateApiKey,
  hashApiKey,
  tenantOf,
  type ApiKeyRecord,
  type Principal,
} from '@hookline/auth';
import { SUBJECTS, type ApiKeyRevokedEvent } from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import { ErrorCode, HooklineError } from '@hookline/service-kit';
import { RegistryConfig } from '../config/registry.config';
import type { CreateApiKeyDto } from './dto/apikey.dto';

/** Fixed id of the key made from HOOKLINE_ADMIN_KEY, so every start finds the one it made before. */
export { BOOTSTRAP_KEY_ID } from '@hookline/auth';

/** API keys: creation (shown once), listing, revocation, and the bootstrap admin key. */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeyService');

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly config: RegistryConfig,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /**
   * Creates the bootstrap admin key on first start. A later start with another HOOKLINE_ADMIN_KEY
   * replaces it (the old value stops authenticating on every instance, which all read the one
   * record); with the same value it is left alone, revoked or not.
   */
  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.HOOKLINE_ADMIN_KEY;
    if (!key) return;
    const subscriptionId = this.config.HOOKLINE_ADMIN_SUBSCRIPTION_ID;
    const hash = hashApiKey(key);
    const hint = apiKeyHint(key);
    const created = await this.keys.createIfAbsent(subscriptionId, {
      id: BOOTSTRAP_KEY_ID,
      name: 'bootstrap admin (HOOKLINE_ADMIN_KEY)',
      hash,
      hint,
      roles: ['admin'],
      sharedSpaces: [],
      createdBy: null,
    });
    if (created) {
      this.logger.log(`bootstrap admin key created for subscription ${subscriptionId}`);
    } else if (await this.keys.replaceIfChanged(BOOTSTRAP_KEY_ID, hash, hint)) {
      this.logger.log(`bootstrap admin key of subscription ${subscriptionId} replaced by a new HOOKLINE_ADMIN_KEY`);
      // Instances that cached the old value drop it now, as for a revocation.
      await this.announceRevoked(subscriptionId, BOOTSTRAP_KEY_ID);
    }
  }

  async create(principal: Principal, body: CreateApiKeyDto): Promise<{ record: ApiKeyRecord; key: string }> {
    const subscriptionId = body.SubscriptionID ?? principal.subscriptionId;
    // Only the operator's bootstrap key opens other subscriptions; tenant admins stay in their own.
    if (subscriptionId !== principal.subscriptionId && principal.keyId !== BOOTSTRAP_KEY_ID) {
      throw new HooklineError(
        ErrorCode.Forbidden,
        'Only the bootstrap admin key can create keys for another subscription',
      );
    }
    const key = generateApiKey();
    const record = await this.keys.create(subscriptionId, {
      id: randomUUID(),
      name: body.Name,
      hash: hashApiKey(key),
      hint: apiKeyHint(key),
      roles: [...body.Roles],
      sharedSpaces: [...(body.SharedSpaces ?? [])],
      createdBy: principal.keyId,
    });
    return { record, key };
  }

  /** The subscription's keys; for the bootstrap key also those it issued in other subscriptions. */
  async list(principal: Principal): Promise<ApiKeyRecord[]> {
    const own = await this.keys.list(principal.subscriptionId);
    if (principal.keyId !== BOOTSTRAP_KEY_ID) return own;
    const elsewhere = (await this.keys.listIssuedBy(BOOTSTRAP_KEY_ID)).filter(
      (record) => record.subscriptionId !== principal.subscriptionId,
    );
    return [...own, ...elsewhere];
  }

  /**
   * Revokes a key of the caller's subscription (the bootstrap key: or one it issued anywhere). Every
   * instance's API key cache and every tunnel gateway hear of it before this answers.
   */
  async revoke(principal: Principal, keyId: string): Promise<void> {
    let subscriptionId: number | null = principal.subscriptionId;
    if (!(await this.keys.revoke(subscriptionId, keyId))) {
      // The bootstrap key may revoke the keys it issued for other subscriptions, as it created them.
      subscriptionId =
        principal.keyId === BOOTSTRAP_KEY_ID ? await this.keys.revokeIssuedBy(BOOTSTRAP_KEY_ID, keyId) : null;
      if (subscriptionId === null) throw HooklineError.notFound('API key');
    }
    await this.announceRevoked(subscriptionId, keyId);
  }

  /**
   * Forgets the key here, then tells the other instances and waits until NATS has the notice, so a
   * caller told "revoked" finds it revoked everywhere. The notice is best effort: should NATS not
   * take it, the others' cache entries expire within API_KEY_CACHE_TTL_MS and gateways find the
   * revocation at their next periodic key check.
   */
  private async announceRevoked(subscriptionId: number, keyId: string): Promise<void> {
    this.authenticator.forgetKey(keyId);
    const event: ApiKeyRevokedEvent = {
      tenant: tenantOf({ subscriptionId }),
      keyId,
      revokedAt: new Date().toISOString(),
    };
    try {
      await this.publisher.notifyConfirmed(
        SUBJECTS.apiKeyRevoked(event.tenant, keyId),
        event,
        this.config.NATS_REQUEST_TIMEOUT_MS,
      );
    } catch (err) {
      this.logger.warn(
        { keyId, err: String(err) },
        'key revoked, but other instances were not told; they will find it',
      );
    }
  }
}
