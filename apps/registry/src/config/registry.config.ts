import { IsEncryptionKey } from '@hookline/auth';
import { httpPolicyFromEnv, parseCidrList, type DeliveryPolicy } from '@hookline/delivery';
import { EnvBoolean, NatsMongoServiceConfig, Parses } from '@hookline/service-kit';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

/** Settings of the registry service, read from the environment once at start. */
export class RegistryConfig extends NatsMongoServiceConfig {
  override PORT = 8081;

  /** Webhook definitions are small; a bigger body is a mistake or abuse and is answered 413. */
  override HTTP_BODY_LIMIT = '256kb';

  /**
   * AES-256-GCM key for secrets at rest (webhook passwords, client secrets, signing secrets, header
   * values): 32 bytes as 64 hex characters or base64. Generate with `openssl rand -base64 32`.
   * Services that read those secrets (dispatcher) need the same key.
   */
  @IsEncryptionKey()
  HOOKLINE_ENCRYPTION_KEY: string;

  /** When set, an admin API key with this value is created on first start (the bootstrap key). */
  @IsOptional()
  @IsString()
  @MinLength(20)
  HOOKLINE_ADMIN_KEY?: string;

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

  /** Base of the `_ref` URLs (e.g. https://hookline.example.com); the request's own host when unset. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL?: string;

  /** How long `POST /webhook/{id}/test` waits for the dispatcher's outcome. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  TEST_DELIVERY_TIMEOUT_MS: number = 15_000;

  /** How often webhook changes whose event was not yet published are published again. */
  @IsInt()
  @Min(100)
  EVENT_OUTBOX_INTERVAL_MS: number = 5_000;

  // The dispatcher's delivery policy, read here too: a webhook it could never deliver to is refused
  // when it is written (422 naming the setting). Give both services the same values.

  /** Plain HTTP targets are refused unless this is on (Octane's WEBHOOK_ALLOW_HTTP). */
  @EnvBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP = false;

  /** Ports plain HTTP may use: `80` (default), a list such as `80,8080`, or `any`. */
  @Parses(
    (ports) => httpPolicyFromEnv({ WEBHOOK_HTTP_PORTS: ports }),
    '$property must be "any" or comma-separated ports 1-65535',
  )
  WEBHOOK_HTTP_PORTS = '80';

  /** Private ranges receivers may live in, e.g. `10.20.0.0/16`. */
  @Parses(parseCidrList, '$property must be comma-separated CIDRs such as 10.0.0.0/8,fd00::/8')
  WEBHOOK_ALLOWED_CIDRS = '';

  /** The three settings above as the policy the dispatcher applies. */
  deliveryPolicy(): DeliveryPolicy {
    return {
      http: httpPolicyFromEnv({
        WEBHOOK_ALLOW_HTTP: String(this.WEBHOOK_ALLOW_HTTP),
        WEBHOOK_HTTP_PORTS: this.WEBHOOK_HTTP_PORTS,
      }),
      allowedCidrs: parseCidrList(this.WEBHOOK_ALLOWED_CIDRS),
    };
  }
}
