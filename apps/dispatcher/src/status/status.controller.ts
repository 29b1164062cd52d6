import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles, tenantOf } from '@hookline/auth';
import {
  BreakerListDto,
  WebhookDeliveriesListDto,
  type BreakerDto,
  type WebhookDeliveriesDto,
} from './dto/status-response.dto';
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
  @ApiOperation({
    summary: 'Circuit breakers per target origin',
    description: 'As this dispatcher instance sees them.',
  })
  @ApiOkResponse({ type: BreakerListDto })
  async breakers(@Principal() principal: Principal): Promise<BreakerListDto> {
    const Results: BreakerDto[] = (await this.status.breakers(tenantOf(principal))).map((o) => ({
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
  @ApiOperation({ summary: 'Queued, parked and in-flight deliveries per webhook' })
  @ApiOkResponse({ type: WebhookDeliveriesListDto })
  async webhooks(@Principal() principal: Principal): Promise<WebhookDeliveriesListDto> {
    const Results: WebhookDeliveriesDto[] = (await this.status.webhooks(tenantOf(principal))).map((w) => ({
      WebhookID: w.webhookId,
      Queued: w.queued,
      Parked: w.parked,
      InFlight: w.inFlight,
    }));
    return { Results, TotalResultCount: Results.length };
  }
}
