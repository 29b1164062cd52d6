import { NatsMongoServiceConfig } from '@hookline/service-kit';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Settings of the change-ingest service, read from the environment once at start.
 * MongoDB holds the registry's API keys, which authenticate producers.
 */
export class ChangeIngestConfig extends NatsMongoServiceConfig {
  override PORT = 8082;

  /** Most changes in one request or NATS message. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INGEST_MAX_BATCH = 1000;

  /** Batches of up to INGEST_MAX_BATCH full messages need more room than the default. */
  override HTTP_BODY_LIMIT = '5mb';
}
