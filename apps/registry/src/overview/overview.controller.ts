import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal } from '@hookline/auth';
import type { Overview } from './overview';
import { DEFAULT_WINDOW_MINUTES, DeliveryOverviewDto, OverviewQueryDto } from './dto/overview.dto';
import { OverviewService } from './overview.service';

@ApiTags('overview')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/overview')
@UseGuards(ApiKeyGuard)
export class OverviewController {
  constructor(private readonly overviews: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: "Delivery figures of the caller's subscription over a recent window",
    description:
      'Attempts per second, success ratio, p50/p99 latency and attempts per minute, from the delivery log; ' +
      'queue depth per hop between services; open breakers, parked jobs and blocked URLs from the dispatcher ' +
      '(marked unavailable when it does not answer within a second).',
  })
  @ApiOkResponse({ type: DeliveryOverviewDto })
  async overview(@Principal() principal: Principal, @Query() query: OverviewQueryDto): Promise<Overview> {
    return this.overviews.overview(principal, query.minutes ? Number(query.minutes) : DEFAULT_WINDOW_MINUTES);
  }
}
