import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import type { Request, Response } from 'express';
import { RegistryConfig } from '../config/registry.config';
import { webhookCollectionUrl } from '../webhook/webhook.controller';
import { BmcEnableDto, BmcFailDataQueryDto, BmcPageQueryDto, BmcWebhookDefinitionDto } from './bmc-definition.dto';
import { BmcDataPageDto, BmcDefinitionViewDto, BmcFailDataPageDto, BmcRegisteredDto } from './bmc-response.dto';
import { bmcFailDataOf, bmcViewOf, type BmcDefinitionView, type BmcFailData } from './bmc.mapping';
import { BmcService } from './bmc.service';

const DEFINITIONS = 'api/rx/application/webhook/webhookdefinition';

/**
 * BMC Helix's webhook registration API, at the seed's paths: register, get, deregister and
 * enable/disable by name, and the definition data page. Writes need the admin role, as in BMC
 * ("works only with administrator credentials").
 */
@ApiTags('bmc')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/rx/application')
@UseGuards(ApiKeyGuard)
export class BmcController {
  constructor(
    private readonly bmc: BmcService,
    private readonly config: RegistryConfig,
  ) {}

  /** 201 with Location; the answer also holds Hookline's signing secret, shown this once. */
  @Post('webhook/webhookdefinition')
  @Roles('admin')
  @ApiOperation({ summary: 'Register a webhook definition (BMC)', description: '201 with Location.' })
  @ApiCreatedResponse({ type: BmcRegisteredDto })
  async register(
    @Principal() principal: Principal,
    @Body() body: BmcWebhookDefinitionDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BmcDefinitionView & { signingSecret: string }> {
    const { webhook, signingSecret } = await this.bmc.register(
      principal,
      body,
      webhookCollectionUrl(req, this.config.PUBLIC_BASE_URL),
    );
    res.status(201).location(`/${DEFINITIONS}/${encodeURIComponent(webhook.Name)}`);
    return { ...bmcViewOf(webhook), signingSecret };
  }

  @Get('webhook/webhookdefinition/:name')
  @ApiOperation({ summary: 'Get a webhook definition (BMC)' })
  @ApiOkResponse({ type: BmcDefinitionViewDto })
  async get(@Principal() principal: Principal, @Param('name') name: string): Promise<BmcDefinitionView> {
    return bmcViewOf(await this.bmc.get(principal, name));
  }

  @Put('webhook/webhookdefinition/:name')
  @Roles('admin')
  @ApiOperation({ summary: 'Enable or disable a webhook definition (BMC)' })
  @ApiOkResponse({ type: BmcDefinitionViewDto })
  async setEnabled(
    @Principal() principal: Principal,
    @Param('name') name: string,
    @Body() body: BmcEnableDto,
    @Req() req: Request,
  ): Promise<BmcDefinitionView> {
    const refBase = webhookCollectionUrl(req, this.config.PUBLIC_BASE_URL);
    return bmcViewOf(await this.bmc.setEnabled(principal, name, body.enabled, refBase));
  }

  /**
   * The definition's failed callbacks (BMC's "Webhook Callback Fail Data" record definition): each
   * saved payload and response code, and whether it has had its one last processing.
   */
  @Get('webhook/webhookdefinition/:name/callbackfaildata')
  @ApiOperation({
    summary: "A definition's failed callbacks (BMC)",
    description: 'Each saved payload and response code, and whether it has had its one last processing.',
  })
  @ApiOkResponse({ type: BmcFailDataPageDto })
  async failData(
    @Principal() principal: Principal,
    @Param('name') name: string,
    @Query() query: BmcFailDataQueryDto,
  ): Promise<{ totalSize: number; data: BmcFailData[] }> {
    const { webhook, page } = await this.bmc.failData(principal, name, query);
    return { totalSize: page.total, data: page.items.map((failed) => bmcFailDataOf(webhook, failed)) };
  }

  @Delete('webhook/webhookdefinition/:name')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Deregister a webhook definition (BMC)' })
  @ApiNoContentResponse({ description: 'Deregistered.' })
  async deregister(@Principal() principal: Principal, @Param('name') name: string): Promise<void> {
    await this.bmc.deregister(principal, name);
  }

  @Get('datapage')
  @ApiOperation({ summary: 'Query webhook definitions (BMC data page)' })
  @ApiOkResponse({ type: BmcDataPageDto })
  async page(
    @Principal() principal: Principal,
    @Query() query: BmcPageQueryDto,
  ): Promise<{ totalSize: number; data: BmcDefinitionView[] }> {
    const page = await this.bmc.page(principal, query);
    return { totalSize: page.total, data: page.items.map(bmcViewOf) };
  }
}
