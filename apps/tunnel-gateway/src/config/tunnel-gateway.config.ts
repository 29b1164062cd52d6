import { BaseServiceConfig } from '@hookline/service-kit';
import { IsNotEmpty, IsString } from 'class-validator';

/** Settings of the tunnel-gateway service, read from the environment once at start. */
export class TunnelGatewayConfig extends BaseServiceConfig {
  override PORT = 8086;

  /** NATS server(s) with JetStream, comma-separated (e.g. nats://127.0.0.1:4222). */
  @IsString()
  @IsNotEmpty()
  NATS_URL: string;
}
