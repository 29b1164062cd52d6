import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, isBootstrapKey, PortalAccess, Principal, tenantOf } from '@hookline/auth';
import { ChangeMessage } from '@hookline/contracts';
import { WebhookIndexService } from '../index/webhook-index.service';
import { AdminKeyGuard } from './admin-key.guard';
import { ChangeMessageDto, DryRunResponseDto, IndexStatusDto, TenantIndexDto } from './dto/match-docs.dto';
import { DraftMatchDto, DraftMatchResponseDto } from './dto/draft-match.dto';
import { MatchService, type DraftRunResult, type DryRunResult } from './match.service';

@ApiTags('matcher (internal)')
@ApiExtraModels(TenantIndexDto)
@ApiBearerAuth()
@Controller('api/v2')
export class MatchController {
  constructor(
    private readonly matches: MatchService,
    private readonly webhooks: WebhookIndexService,
  ) {}

  @Post('match')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  @ApiCookieAuth('ZSESSIONID')
  @ApiOperation({
    summary: 'Dry run: which webhooks a change would fire, and for the others the clause that failed',
    description:
      "Any API key or user token: the caller's own subscription's webhooks are tried, whatever `tenant` " +
      "says. Only the operator's bootstrap admin key tries the webhooks of the `tenant` it names.",
  })
  @ApiBody({ type: ChangeMessageDto })
  @ApiOkResponse({ type: DryRunResponseDto })
  async dryRun(
    @Principal() principal: Principal,
    @Body() message: ChangeMessage,
  ): Promise<{ results: DryRunResult[] }> {
    await this.webhooks.loaded;
    const tenant = isBootstrapKey(principal) ? message.tenant : tenantOf(principal);
    return { results: this.matches.dryRun(tenant, message) };
  }

  @Post('match/draft')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  // No stored data is read, so the webhook form's dry run works through any portal link too.
  @PortalAccess('read-only')
  @ApiCookieAuth('ZSESSIONID')
  @ApiOperation({
    summary: 'Dry run of unsaved filters: would a webhook with them fire for a sample change?',
    description:
      'For a webhook being edited: its ObjectTypes, Events, Triggers, Expressions and Condition are tried ' +
      'against a change given as the record before and after; the answer names the clause that failed. ' +
      'Any API key or user token; no stored data is read.',
  })
  @ApiOkResponse({ type: DraftMatchResponseDto })
  draftRun(@Body() body: DraftMatchDto): DraftRunResult {
    return this.matches.draftRun(body.Webhook, body.Change);
  }

  @Get('index')
  @UseGuards(AdminKeyGuard)
  @ApiOperation({ summary: 'Index size per tenant and lag (events not yet applied) behind the registry' })
  @ApiOkResponse({ type: IndexStatusDto })
  index(): ReturnType<WebhookIndexService['status']> {
    return this.webhooks.status();
  }
}
