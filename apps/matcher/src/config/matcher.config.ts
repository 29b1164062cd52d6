import { NatsMongoServiceConfig, WithAdminKey } from '@hookline/service-kit';

/**
 * Settings of the matcher service, read from the environment once at start. MONGO_URL: the
 * registry's API keys and user sessions, which authenticate dry runs.
 */
export class MatcherConfig extends WithAdminKey(NatsMongoServiceConfig) {
  override PORT = 8083;
}
