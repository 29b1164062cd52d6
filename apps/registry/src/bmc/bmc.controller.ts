import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
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
import type { Response } from 'express';
import { BmcEnableDto, BmcPageQueryDto, BmcWebhookDefinitionDto } from './bmc-definition.dto';
import { BmcDataPageDto, BmcDefinitionViewDto, BmcRegisteredDto } from './bmc-response.dto';
import { bmcViewOf, type BmcDefinitionView } from './bmc.mapping';
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
  constructor(private readonly bmc: BmcService) {}

  /** 201 with Location; the answer also holds Hookline's signing secret, shown this once. */
  @Post('webhook/webhookdefinition')
  @Roles('admin')
  @ApiOperation({ summary: 'Register a webhook definition (BMC)', description: '201 with Location.' })
  @ApiCreatedResponse({ type: BmcRegisteredDto })
  async register(
    @Principal() principal: Principal,
    @Body() body: BmcWebhookDefinitionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BmcDefinitionView & { signingSecret: string }> {
    const { webhook, signingSecret } = await this.bmc.register(principal, body);
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
  ): Promise<BmcDefinitionView> {
    return bmcViewOf(await this.bmc.setEnabled(principal, name, body.enabled));
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
