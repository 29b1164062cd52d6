import { WithEncryptionKey } from '@hookline/auth';
import { DeliveryPolicyServiceConfig, WithAdminKey, WithPublicBaseUrl } from '@hookline/service-kit';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Settings of the registry service, read from the environment once at start. It reads the
 * dispatcher's delivery policy too, to refuse a webhook the dispatcher could never deliver to.
 */
export class RegistryConfig extends WithAdminKey(WithPublicBaseUrl(WithEncryptionKey(DeliveryPolicyServiceConfig))) {
  override PORT = 8081;

  /** Webhook definitions are small; a bigger body is a mistake or abuse and is answered 413. */
  override HTTP_BODY_LIMIT = '256kb';

  /** Subscription (tenant) the bootstrap admin key belongs to. */
  @IsInt()
  @Min(1)
  HOOKLINE_ADMIN_SUBSCRIPTION_ID: number = 100;

  /** Lifetime of a user's access token from `POST /users/login` (its `expires_in`). */
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  USER_TOKEN_TTL_S: number = 3600;

  /** Failed logins per email within LOGIN_FAILURE_WINDOW_S before that email is refused with 429. */
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_EMAIL: number = 5;

  /** Failed logins per client address within LOGIN_FAILURE_WINDOW_S before it is refused with 429. */
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_ADDRESS: number = 20;

  /** The window, in seconds, in which failed logins are counted (fixed windows, shared by all instances). */
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_S: number = 900;

  /** How long `POST /webhook/{id}/test` waits for the dispatcher's outcome. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  TEST_DELIVERY_TIMEOUT_MS: number = 15_000;

  /** How often webhook changes whose event was not yet published are published again. */
  @IsInt()
  @Min(100)
  EVENT_OUTBOX_INTERVAL_MS: number = 5_000;

  /**
   * How often the relay looks for pending changes although this instance left none (another
   * instance's, or a write whose answer never came); each look reads every webhook on the embedded server.
   */
  @IsInt()
  @Min(1_000)
  EVENT_OUTBOX_SWEEP_MS: number = 300_000;
}
