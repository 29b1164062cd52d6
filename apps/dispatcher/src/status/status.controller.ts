import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles, tenantOf } from '@hookline/auth';
import { StatusService } from './status.service';

/** Operators' view of this dispatcher instance, limited to the caller's subscription. */
@ApiTags('dispatcher status')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  /** Circuit breaker per target origin this subscription delivers to (as seen by this instance), with its parked jobs. */
  @Get('breakers')
  async breakers(@Principal() principal: Principal) {
    const Results = (await this.status.breakers(tenantOf(principal))).map((o) => ({
      Origin: o.origin,
      State: o.state,
      InFlight: o.inFlight,
      Waiting: o.waiting,
      Fires: o.fires,
      Failures: o.failures,
      Successes: o.successes,
      Rejects: o.rejects,
      OpenedAt: o.openedAt?.toISOString() ?? null,
      NextProbeAt: o.probeAt?.toISOString() ?? null,
      Parked: o.parked,
    }));
    return { Results, TotalResultCount: Results.length };
  }

  /** Queued and parked (all instances) and in-flight (this instance) deliveries per webhook of the subscription. */
  @Get('deliveries/webhooks')
  async webhooks(@Principal() principal: Principal) {
    const Results = (await this.status.webhooks(tenantOf(principal))).map((w) => ({
      WebhookID: w.webhookId,
      Queued: w.queued,
      Parked: w.parked,
      InFlight: w.inFlight,
    }));
    return { Results, TotalResultCount: Results.length };
  }
}
