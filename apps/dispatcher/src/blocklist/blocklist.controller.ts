import { Controller, Delete, Get, HttpCode, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { toBlockedUrlResponse, type BlockedUrlResponse } from '@hookline/blocklist';
import { HooklineError } from '@hookline/service-kit';
import { BlocklistService } from './blocklist.service';

/** The subscription's blocked URLs (the registry serves the same collection with paging). */
@ApiTags('blocklist')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/blocklist')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class BlocklistController {
  constructor(private readonly blocklist: BlocklistService) {}

  @Get()
  async list(@Principal() principal: Principal): Promise<{ Results: BlockedUrlResponse[]; TotalResultCount: number }> {
    const records = await this.blocklist.list(principal.subscriptionId);
    return { Results: records.map(toBlockedUrlResponse), TotalResultCount: records.length };
  }

  /** `url` is the blocked URL, percent-encoded as one path segment. Deliveries to it resume. */
  @Delete(':url')
  @HttpCode(204)
  async unblock(@Principal() principal: Principal, @Param('url') url: string): Promise<void> {
    if (!(await this.blocklist.unblock(principal.subscriptionId, url))) throw HooklineError.notFound('Blocked URL');
  }
}
