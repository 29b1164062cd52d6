import { NatsServiceConfig } from '@hookline/service-kit';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Settings of the matcher service, read from the environment once at start. */
export class MatcherConfig extends NatsServiceConfig {
  override PORT = 8083;

  /** Guards the internal REST API (dry runs, index status): callers send it as a Bearer token. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOOKLINE_ADMIN_KEY?: string;
}
