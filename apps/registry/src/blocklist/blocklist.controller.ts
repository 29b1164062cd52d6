import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { HooklineError } from '@hookline/service-kit';
import { PageQueryDto } from '../webhook/dto/webhook-query.dto';
import type { PageResponse } from '../webhook/dto/webhook-response.dto';
import { parsePaging } from '../webhook/webhook.query';
import { BlockedUrlPageDto } from './blocklist-response.dto';
import { BlocklistRepository } from './blocklist.repository';
import { toBlockedUrlResponse, type BlockedUrlResponse } from '@hookline/blocklist';

/** URLs the dispatcher blocked; admins list them and unblock. No rules beyond tenancy, so no service layer. */
@ApiTags('blocklist')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/blocklist')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class BlocklistController {
  constructor(private readonly blocklist: BlocklistRepository) {}

  @Get()
  @ApiOperation({ summary: 'List blocked URLs' })
  @ApiOkResponse({ type: BlockedUrlPageDto })
  async list(
    @Principal() principal: Principal,
    @Query() query: PageQueryDto,
  ): Promise<PageResponse<BlockedUrlResponse>> {
    const { pageSize, start } = parsePaging(query);
    const page = await this.blocklist.list(principal.subscriptionId, start - 1, pageSize);
    return {
      Results: page.items.map(toBlockedUrlResponse),
      TotalResultCount: page.total,
      PageSize: pageSize,
      StartIndex: start,
    };
  }

  /** Unblocks the URL: the dispatcher delivers to it again. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblock a URL', description: 'The dispatcher delivers to it again.' })
  @ApiNoContentResponse({ description: 'Unblocked.' })
  async unblock(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    if (!(await this.blocklist.remove(principal.subscriptionId, id))) throw HooklineError.notFound('Blocked URL');
  }
}
