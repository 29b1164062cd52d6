import { httpPolicyFromEnv, parseCidrList, type DeliveryPolicy } from '@hookline/delivery';
import { IsBoolean } from 'class-validator';
import { EnvBoolean, NatsMongoServiceConfig, Parses } from './config';

/**
 * The delivery policy's settings, declared once for the two services that apply it: the dispatcher
 * before every request, the registry when a webhook is written (a target it could never deliver to
 * is refused with 422 naming the setting). Give both the same values.
 */
export class DeliveryPolicyServiceConfig extends NatsMongoServiceConfig {
  /** Plain HTTP targets are refused unless this is on (Octane's WEBHOOK_ALLOW_HTTP). */
  @EnvBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP = false;

  /** Ports plain HTTP may use: `80` (default), a list such as `80,8080`, or `any`. */
  @Parses(
    (ports) => httpPolicyFromEnv({ WEBHOOK_HTTP_PORTS: ports }),
    '$property must be "any" or comma-separated ports 1-65535',
  )
  WEBHOOK_HTTP_PORTS = '80';

  /** Private ranges receivers may live in, e.g. `10.20.0.0/16` (the SSRF guard refuses them otherwise). */
  @Parses(parseCidrList, '$property must be comma-separated CIDRs such as 10.0.0.0/8,fd00::/8')
  WEBHOOK_ALLOWED_CIDRS = '';

  /** The three settings above as the policy the dispatcher applies. */
  deliveryPolicy(): DeliveryPolicy {
    return {
      http: httpPolicyFromEnv({
        WEBHOOK_ALLOW_HTTP: String(this.WEBHOOK_ALLOW_HTTP),
        WEBHOOK_HTTP_PORTS: this.WEBHOOK_HTTP_PORTS,
      }),
      allowedCidrs: parseCidrList(this.WEBHOOK_ALLOWED_CIDRS),
    };
  }
}
