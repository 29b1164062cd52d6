import { BaseServiceConfig } from '@hookline/service-kit';
import { IsNotEmpty, IsString } from 'class-validator';

/** Settings of the registry service, read from the environment once at start. */
export class RegistryConfig extends BaseServiceConfig {
  override PORT = 8081;

  /** NATS server(s) with JetStream, comma-separated (e.g. nats://127.0.0.1:4222). */
  @IsString()
  @IsNotEmpty()
  NATS_URL: string;

  /** MongoDB connection string, database included (e.g. mongodb://127.0.0.1:27017/hookline). */
  @IsString()
  @IsNotEmpty()
  MONGO_URL: string;
}
