import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles, tenantOf } from '@hookline/auth';
import { BlockedUrlPageDto, toBlockedUrlResponse, type BlockedUrlResponse } from './dto/blocked-url.response';
import { HooklineError } from '@hookline/service-kit';
import { BlocklistService } from './blocklist.service';
import { BlocklistQueryDto, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './dto/blocklist-query.dto';

export interface BlocklistPage {
  Results: BlockedUrlResponse[];
  TotalResultCount: number;
  PageSize: number;
  StartIndex: number;
}

/** The subscription's blocked URLs: the one blocklist API (the dispatcher blocks, enforces and unblocks). */
@ApiTags('blocklist')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/blocklist')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class BlocklistController {
  constructor(private readonly blocklist: BlocklistService) {}

  @Get()
  @ApiOperation({ summary: 'List blocked URLs' })
  @ApiOkResponse({ type: BlockedUrlPageDto })
  async list(@Principal() principal: Principal, @Query() query: BlocklistQueryDto): Promise<BlocklistPage> {
    const pageSize = Math.min(MAX_PAGE_SIZE, query.pagesize ? Number(query.pagesize) : DEFAULT_PAGE_SIZE);
    const start = query.start ? Number(query.start) : 1;
    const page = await this.blocklist.list(principal.subscriptionId, start - 1, pageSize);
    return {
      Results: page.items.map(toBlockedUrlResponse),
      TotalResultCount: page.total,
      PageSize: pageSize,
      StartIndex: start,
    };
  }

  /**
   * `id` is the blocked URL's `ID` from the list, percent-encoded as one path segment. Every
   * dispatcher instance delivers to the URL again from its next job.
   */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unblock a URL',
    description: 'Every dispatcher instance delivers to it again from its next job.',
  })
  @ApiNoContentResponse({ description: 'Unblocked.' })
  async unblock(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    if (!(await this.blocklist.unblock(tenantOf(principal), id))) throw HooklineError.notFound('Blocked URL');
  }
}
