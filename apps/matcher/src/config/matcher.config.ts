import { NatsMongoServiceConfig } from '@hookline/service-kit';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * Settings of the matcher service, read from the environment once at start. MONGO_URL: the
 * registry's API keys and user sessions, which authenticate dry runs.
 */
export class MatcherConfig extends NatsMongoServiceConfig {
  override PORT = 8083;

  /** Guards the operators' index status: callers send it as a Bearer token. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOOKLINE_ADMIN_KEY?: string;
}
