import { BaseServiceConfig } from '@hookline/service-kit';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

/** Settings of the change-ingest service, read from the environment once at start. */
export class ChangeIngestConfig extends BaseServiceConfig {
  override PORT = 8082;

  /** NATS server(s) with JetStream, comma-separated (e.g. nats://127.0.0.1:4222). */
  @IsString()
  @IsNotEmpty()
  NATS_URL: string;

  /** MongoDB holding the registry's API keys, which authenticate producers. */
  @IsString()
  @IsNotEmpty()
  MONGO_URL: string;

  /** Most changes in one request or NATS message. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INGEST_MAX_BATCH = 1000;

  /** Batches of up to INGEST_MAX_BATCH full messages need more room than the default. */
  override HTTP_BODY_LIMIT = '5mb';
}
