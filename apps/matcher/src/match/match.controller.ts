import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeMessage } from '@hookline/contracts';
import { WebhookIndexService } from '../index/webhook-index.service';
import { AdminKeyGuard } from './admin-key.guard';
import { ChangeMessageDto, DryRunResponseDto, IndexStatusDto, TenantIndexDto } from './dto/match-docs.dto';
import { MatchService, type DryRunResult } from './match.service';

@ApiTags('matcher (internal)')
@ApiExtraModels(TenantIndexDto)
@ApiBearerAuth()
@UseGuards(AdminKeyGuard)
@Controller('api/v2')
export class MatchController {
  constructor(
    private readonly matches: MatchService,
    private readonly webhooks: WebhookIndexService,
  ) {}

  @Post('match')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dry run: which webhooks a change would fire, and for the others the clause that failed' })
  @ApiBody({ type: ChangeMessageDto })
  @ApiOkResponse({ type: DryRunResponseDto })
  async dryRun(@Body() message: ChangeMessage): Promise<{ results: DryRunResult[] }> {
    await this.webhooks.loaded;
    return { results: this.matches.dryRun(message) };
  }

  @Get('index')
  @ApiOperation({ summary: 'Index size per tenant and lag (events not yet applied) behind the registry' })
  @ApiOkResponse({ type: IndexStatusDto })
  index(): ReturnType<WebhookIndexService['status']> {
    return this.webhooks.status();
  }
}
