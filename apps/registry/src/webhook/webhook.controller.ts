import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, PortalAccess, Principal, Roles } from '@hookline/auth';
import type { Request } from 'express';
import { RegistryConfig } from '../config/registry.config';
import { PageQueryDto, WebhookQueryDto } from './dto/webhook-query.dto';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-request.dto';
import {
  attemptResponse,
  failedDeliveryResponse,
  toResponse,
  type PageResponse,
  type TestDeliveryResponse,
  type WebhookResponse,
} from './dto/webhook-response.dto';
import {
  AttemptPageDto,
  FailedDeliveryPageDto,
  ReplayResponseDto,
  TestDeliveryResponseDto,
  WebhookPageDto,
  WebhookResponseDto,
} from './dto/webhook-response.schema';
import { WebhookService, type Paged } from './webhook.service';

/** Rally serves the API under `/apps/pigeon/api/v2`; Hookline also under the shorter `/api/v2`. */
export const API_PREFIXES = ['api/v2', 'apps/pigeon/api/v2'];

/**
 * Absolute URL of the webhook collection under the prefix the request used (the first for other
 * paths), at PUBLIC_BASE_URL or else the host the request reached.
 */
export function webhookCollectionUrl(req: Request, publicBaseUrl: string | undefined): string {
  const origin = publicBaseUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const prefix = API_PREFIXES.find((p) => req.originalUrl.startsWith(`/${p}/`)) ?? API_PREFIXES[0];
  return `${origin}/${prefix}/webhook`;
}

function page<T, R>(paged: Paged<T>, shape: (item: T) => R): PageResponse<R> {
  return {
    Results: paged.items.map(shape),
    TotalResultCount: paged.total,
    PageSize: paged.pageSize,
    StartIndex: paged.start,
  };
}

@ApiTags('webhook')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller(API_PREFIXES.map((prefix) => `${prefix}/webhook`))
@UseGuards(ApiKeyGuard)
export class WebhookController {
  constructor(
    private readonly webhooks: WebhookService,
    private readonly config: RegistryConfig,
  ) {}

  /** Create answers 200, as in the Rally seed, with the signing secret shown this once. */
  @Post()
  @HttpCode(200)
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({
    summary: 'Create a webhook',
    description: 'Answers 200 (Rally) with the signing secret in clear, this once.',
  })
  @ApiOkResponse({ type: WebhookResponseDto })
  async create(
    @Principal() principal: Principal,
    @Body() body: CreateWebhookDto,
    @Req() req: Request,
  ): Promise<WebhookResponse> {
    const refBase = this.refBase(req);
    const { webhook, signingSecret } = await this.webhooks.create(principal, body, refBase);
    return toResponse(webhook, refBase, signingSecret);
  }

  @Get()
  @PortalAccess('read-only')
  @ApiOperation({ summary: 'List webhooks', description: 'Rally paging and ordering, and the BMC data-page filters.' })
  @ApiOkResponse({ type: WebhookPageDto })
  async list(
    @Principal() principal: Principal,
    @Query() query: WebhookQueryDto,
    @Req() req: Request,
  ): Promise<PageResponse<WebhookResponse>> {
    const base = this.refBase(req);
    return page(await this.webhooks.query(principal, query), (webhook) => toResponse(webhook, base));
  }

  @Get(':id')
  @PortalAccess('read-only')
  @ApiOperation({ summary: 'Get a webhook' })
  @ApiOkResponse({ type: WebhookResponseDto })
  async get(@Principal() principal: Principal, @Param('id') id: string, @Req() req: Request): Promise<WebhookResponse> {
    return toResponse(await this.webhooks.get(principal, id), this.refBase(req));
  }

  @Patch(':id')
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({
    summary: 'Change a webhook',
    description: 'Only the fields sent change; lists and objects are replaced whole.',
  })
  @ApiOkResponse({ type: WebhookResponseDto })
  async update(
    @Principal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
    @Req() req: Request,
  ): Promise<WebhookResponse> {
    const refBase = this.refBase(req);
    return toResponse(await this.webhooks.update(principal, id, body, refBase), refBase);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({ summary: 'Delete a webhook' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async remove(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(principal, id);
  }

  /** Replaces the signing secret and shows the new one this once. */
  @Post(':id/signing-secret')
  @HttpCode(200)
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({ summary: 'Rotate the signing secret', description: 'The new secret is shown in clear, this once.' })
  @ApiOkResponse({ type: WebhookResponseDto })
  async rotateSigningSecret(
    @Principal() principal: Principal,
    @Param('id') id: string,
    @Req() req: Request,
  ): Promise<WebhookResponse> {
    const { webhook, signingSecret } = await this.webhooks.rotateSigningSecret(principal, id);
    return toResponse(webhook, this.refBase(req), signingSecret);
  }

  @Post(':id/test')
  @HttpCode(200)
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({
    summary: 'Test a webhook',
    description: 'Sends a sample payload now and shows what the receiver answered.',
  })
  @ApiOkResponse({ type: TestDeliveryResponseDto })
  async test(
    @Principal() principal: Principal,
    @Param('id') id: string,
    @Req() req: Request,
  ): Promise<TestDeliveryResponse> {
    const outcome = await this.webhooks.test(principal, id, this.refBase(req));
    return {
      DeliveryID: outcome.deliveryId,
      Outcome: outcome.kind,
      Status: outcome.status ?? null,
      LatencyMs: outcome.latencyMs,
      ResponseExcerpt: outcome.responseExcerpt ?? null,
      Error: outcome.error ?? null,
    };
  }

  @Get(':id/attempts')
  @PortalAccess('read-only')
  @ApiOperation({ summary: 'List delivery attempts', description: 'Newest first.' })
  @ApiOkResponse({ type: AttemptPageDto })
  async attempts(@Principal() principal: Principal, @Param('id') id: string, @Query() query: PageQueryDto) {
    return page(await this.webhooks.attempts(principal, id, query), attemptResponse);
  }

  @Get(':id/failed')
  @PortalAccess('read-only')
  @ApiOperation({
    summary: 'List failed deliveries',
    description: 'Deliveries that exhausted their retries, kept for replay.',
  })
  @ApiOkResponse({ type: FailedDeliveryPageDto })
  async failed(@Principal() principal: Principal, @Param('id') id: string, @Query() query: PageQueryDto) {
    return page(await this.webhooks.failedDeliveries(principal, id, query), failedDeliveryResponse);
  }

  @Post(':id/failed/:deliveryId/replay')
  @HttpCode(202)
  @Roles('admin', 'integration')
  @PortalAccess('manage-webhooks')
  @ApiOperation({ summary: 'Replay a failed delivery' })
  @ApiAcceptedResponse({ type: ReplayResponseDto })
  async replay(
    @Principal() principal: Principal,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<{ DeliveryID: string }> {
    return { DeliveryID: await this.webhooks.replay(principal, id, deliveryId) };
  }

  private refBase(req: Request): string {
    return webhookCollectionUrl(req, this.config.PUBLIC_BASE_URL);
  }
}
