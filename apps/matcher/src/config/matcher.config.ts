import { BaseServiceConfig } from '@hookline/service-kit';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Settings of the matcher service, read from the environment once at start. */
export class MatcherConfig extends BaseServiceConfig {
  override PORT = 8083;

  /** NATS server(s) with JetStream, comma-separated (e.g. nats://127.0.0.1:4222). */
  @IsString()
  @IsNotEmpty()
  NATS_URL: string;

  /** Guards the internal REST API (dry runs, index status): callers send it as a Bearer token. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOOKLINE_ADMIN_KEY?: string;
}
