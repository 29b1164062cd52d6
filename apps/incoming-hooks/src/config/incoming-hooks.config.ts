import { WithEncryptionKey } from '@hookline/auth';
import { NatsMongoServiceConfig, WithPublicBaseUrl } from '@hookline/service-kit';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** Settings of the incoming-hooks service, read from the environment once at start. */
export class IncomingHooksConfig extends WithPublicBaseUrl(WithEncryptionKey(NatsMongoServiceConfig)) {
  override PORT = 8085;

  /** Management requests (pipelines, hooks, run states) are small. */
  override HTTP_BODY_LIMIT = '256kb';

  /** Largest payload a hook URL accepts (GitHub sends at most 25mb); bigger ones are answered 413. */
  @Matches(/^\d+(b|kb|mb)$/)
  HOOK_BODY_LIMIT = '1mb';

  /** Calls a hook URL accepts per minute, unless the hook sets its own `rate_limit_per_minute`. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  HOOK_RATE_LIMIT_PER_MINUTE = 60;

  /** How long the previous secret still verifies after a rotation, unless the rotation says otherwise. */
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  HOOK_SECRET_GRACE_SECONDS = 24 * 3600;

  /**
   * Request headers carrying a sender's delivery id, lower case and comma-separated, tried in order
   * (a hook may name one more). A delivery id seen before for the same hook triggers no second run.
   */
  @Matches(/^[a-z0-9-]+(,[a-z0-9-]+)*$/)
  DELIVERY_ID_HEADERS = 'x-github-delivery,webhook-id,x-gitlab-event-uuid';

  /** How long a delivery id is remembered for replay protection. */
  @IsInt()
  @Min(60)
  DELIVERY_ID_RETENTION_SECONDS = 7 * 24 * 3600;

  /** How often run-state changes not yet accepted by change-ingest, and runs not yet published, are sent again. */
  @IsInt()
  @Min(100)
  RUN_OUTBOX_INTERVAL_MS = 5_000;

  /** How long one NATS request to change-ingest may wait for its reply. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CHANGE_INGEST_TIMEOUT_MS = 5_000;
}
