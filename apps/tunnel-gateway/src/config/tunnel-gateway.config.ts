import { NatsMongoServiceConfig } from '@hookline/service-kit';
import { IsInt, IsNotEmpty, IsString, Max, Min, ValidateIf } from 'class-validator';
import { IsTlsPair } from './tls';

const servesTls = (config: TunnelGatewayConfig): boolean =>
  config.TUNNEL_TLS_CERT !== undefined || config.TUNNEL_TLS_KEY !== undefined;

/**
 * Settings of the tunnel-gateway service, read from the environment once at start.
 * MongoDB holds the registry's API keys, which authenticate listeners.
 */
export class TunnelGatewayConfig extends NatsMongoServiceConfig {
  override PORT = 8086;

  /** The gateway pings every listener this often (ms); one missing pong drops the connection at the next ping. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  TUNNEL_HEARTBEAT_MS = 5_000;

  /** Back-pressure: most unanswered deliveries per listener; beyond that, another listener or a 503. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  TUNNEL_MAX_IN_FLIGHT = 16;

  /**
   * How long (ms) a delivery may stay unanswered before the gateway frees its slot and answers 504.
   * At least the dispatcher's largest WEBHOOK_REQUEST_TIMEOUT, so the gateway never gives up first.
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  TUNNEL_REPLY_TIMEOUT_MS = 120_000;

  /** A listener that sends its key as first message must do so within this many ms. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  TUNNEL_AUTH_TIMEOUT_MS = 5_000;

  /**
   * How often (ms) the gateway re-checks the API keys of its open tunnels and closes those whose key
   * was revoked. The registry's revocation notice closes them at once; this catches a notice missed
   * while this instance was away from NATS.
   */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  TUNNEL_KEY_RECHECK_MS = 60_000;

  /** Largest WebSocket message (bytes) accepted from a listener; replies carry only a body excerpt. */
  @IsInt()
  @Min(1_024)
  @Max(64 * 1024 * 1024)
  TUNNEL_MAX_FRAME_BYTES = 1024 * 1024;

  /**
   * PEM certificate chain file. With TUNNEL_TLS_KEY the gateway serves https and wss itself;
   * with neither, plain http and ws (behind a TLS proxy, or on a trusted network).
   */
  @ValidateIf(servesTls)
  @IsString()
  @IsNotEmpty()
  @IsTlsPair('TUNNEL_TLS_KEY')
  TUNNEL_TLS_CERT?: string;

  /** PEM private key file of TUNNEL_TLS_CERT. */
  @ValidateIf(servesTls)
  @IsString()
  @IsNotEmpty()
  TUNNEL_TLS_KEY?: string;
}
