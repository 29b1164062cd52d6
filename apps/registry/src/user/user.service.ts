import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  generateUserToken,
  hashPassword,
  UserSessionRepository,
  verifyNoPassword,
  verifyPassword,
  type Principal,
  type Role,
} from '@hookline/auth';
import { ErrorCode, HooklineError } from '@hookline/service-kit';
import { BOOTSTRAP_KEY_ID } from '../apikey/apikey.service';
import { RegistryConfig } from '../config/registry.config';
import { normalizeEmail, type CreateUserDto, type LoginDto, type LoginResponse } from './dto/user.dto';
import { LoginAttemptRepository } from './login-attempt.repository';
import { attemptKey, failureWindow, retryAfterSeconds } from './login-limits';
import { UserRepository } from './user.repository';
import type { UserRecord } from './user.schema';

/** Users (created by admins, disabled rather than deleted) and their sign-in sessions. */
@Injectable()
export class UserService {
  private readonly logger = new Logger('UserService');

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: UserSessionRepository,
    private readonly attempts: LoginAttemptRepository,
    private readonly config: RegistryConfig,
  ) {}

  async create(principal: Principal, body: CreateUserDto): Promise<UserRecord> {
    const subscriptionId = body.SubscriptionID ?? principal.subscriptionId;
    // Only the operator's bootstrap key opens other subscriptions; tenant admins stay in their own.
    if (subscriptionId !== principal.subscriptionId && principal.keyId !== BOOTSTRAP_KEY_ID) {
      throw new HooklineError(
        ErrorCode.Forbidden,
        'Only the bootstrap admin key can create users for another subscription',
      );
    }
    const created = await this.users.create({
      _id: randomUUID(),
      subscriptionId,
      email: normalizeEmail(body.Email),
      passwordHash: await hashPassword(body.Password),
      roles: [...body.Roles],
      createdAt: new Date(),
      createdBy: principal.keyId,
    });
    if (!created) {
      throw new HooklineError(ErrorCode.Conflict, 'A user with this email exists already', [
        { field: 'Email', reason: 'Email is taken' },
      ]);
    }
    return created;
  }

  async list(principal: Principal): Promise<UserRecord[]> {
    return this.users.list(principal.subscriptionId);
  }

  /**
   * Replaces the user's roles and ends its sessions, whose tokens carry the roles they were issued
   * with: the new roles apply from its next sign-in, and a removed role stops at once.
   */
  async setRoles(principal: Principal, userId: string, roles: Role[]): Promise<UserRecord> {
    const updated = await this.users.setRoles(principal.subscriptionId, userId, [...new Set(roles)]);
    if (!updated) throw HooklineError.notFound('User');
    const revoked = await this.sessions.revokeAllOf(userId);
    this.logger.log({ userId, roles: updated.roles, revoked }, 'user roles changed, its sessions revoked');
    return updated;
  }

  /** Disables the user and revokes every session it has: its tokens stop working at once. */
  async disable(principal: Principal, userId: string): Promise<void> {
    if (!(await this.users.disable(principal.subscriptionId, userId))) throw HooklineError.notFound('User');
    const revoked = await this.sessions.revokeAllOf(userId);
    this.logger.log({ userId, revoked }, 'user disabled, its sessions revoked');
  }

  /**
   * Email and password for an access token. Attempts count per email and per client address, and
   * an attempt counts before the password is checked, so concurrent guesses cannot all slip under
   * the limit while hashes are computed; a successful one is taken back.
   */
  async login(body: LoginDto, address: string): Promise<LoginResponse> {
    const email = normalizeEmail(body.email);
    const now = Date.now();
    const window = failureWindow(now, this.config.LOGIN_FAILURE_WINDOW_S * 1000);
    const [byEmail, byAddress] = await Promise.all([
      this.attempts.hit(attemptKey.email(email), window),
      this.attempts.hit(attemptKey.address(address), window),
    ]);
    if (byEmail > this.config.LOGIN_MAX_FAILURES_PER_EMAIL || byAddress > this.config.LOGIN_MAX_FAILURES_PER_ADDRESS) {
      throw new HooklineError(ErrorCode.RateLimited, 'Too many failed logins; try again later', [], {
        'Retry-After': String(retryAfterSeconds(window, now)),
      });
    }
    const user = await this.users.findActiveByEmail(email);
    const valid = user ? await verifyPassword(body.password, user.passwordHash) : await verifyNoPassword(body.password);
    if (!user || !valid) throw invalidLogin();
    await Promise.all([
      this.attempts.clear(attemptKey.email(email), window),
      this.attempts.forgive(attemptKey.address(address), window),
    ]);
    const token = generateUserToken();
    const ttlS = this.config.USER_TOKEN_TTL_S;
    // From now, not from the start of the request: hashing may have taken a while.
    const issuedAt = Date.now();
    await this.sessions.create(token, {
      userId: user._id,
      subscriptionId: user.subscriptionId,
      roles: user.roles,
      createdAt: new Date(issuedAt),
      expiresAt: new Date(issuedAt + ttlS * 1000),
    });
    // Disabling sets disabledAt and then revokes sessions: a session made meanwhile is caught here.
    if (!(await this.users.isActive(user._id))) {
      await this.sessions.revokeAllOf(user._id);
      throw invalidLogin();
    }
    return { access_token: token, token_type: 'Bearer', expires_in: ttlS };
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId) {
      throw new HooklineError(
        ErrorCode.Unprocessable,
        'Only a user access token can log out; revoke an API key instead',
      );
    }
    await this.sessions.revoke(principal.sessionId);
  }
}

/** One answer for an unknown email, a wrong password and a disabled user: nothing to tell them apart. */
function invalidLogin(): HooklineError {
  return new HooklineError(ErrorCode.Unauthenticated, 'Invalid email or password', [], {
    'WWW-Authenticate': 'Bearer',
  });
}
