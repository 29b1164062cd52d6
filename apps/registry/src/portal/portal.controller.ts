import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, credentialOf, PortalAccess, Principal, Roles } from '@hookline/auth';
import type { Request } from 'express';
import { RegistryConfig } from '../config/registry.config';
import {
  CreatedPortalLinkResponseDto,
  CreatePortalLinkDto,
  PortalDto,
  PortalLinkListDto,
  toBranding,
  toPortalLinkResponse,
  type CreatedPortalLinkResponse,
  type PortalLinkResponse,
} from './dto/portal.dto';
import { PortalService } from './portal.service';

/** Admins make, list and revoke their tenants' portal links. */
@ApiTags('portal')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/portal-links')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class PortalLinkController {
  constructor(
    private readonly portals: PortalService,
    private readonly config: RegistryConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Make a portal link',
    description: 'An expiring link to the console limited to one tenant and scope; the token is in this answer only.',
  })
  @ApiCreatedResponse({ type: CreatedPortalLinkResponseDto })
  async create(
    @Principal() principal: Principal,
    @Body() body: CreatePortalLinkDto,
    @Req() req: Request,
  ): Promise<CreatedPortalLinkResponse> {
    const origin =
      this.config.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const { record, token, url } = await this.portals.create(principal, body, origin);
    return { ...toPortalLinkResponse(record), URL: url, Token: token };
  }

  @Get()
  @ApiOperation({ summary: 'List portal links', description: 'Never the tokens; revoked and expired ones too.' })
  @ApiOkResponse({ type: PortalLinkListDto })
  async list(@Principal() principal: Principal): Promise<{ Results: PortalLinkResponse[]; TotalResultCount: number }> {
    const links = await this.portals.list(principal);
    return { Results: links.map(toPortalLinkResponse), TotalResultCount: links.length };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a portal link', description: 'It stops working at once, on every instance.' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  async revoke(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.portals.revoke(principal, id);
  }
}

/** The holder of a portal link asks what it shows: the console's branding and what to hide. */
@ApiTags('portal')
@ApiBearerAuth()
@Controller('api/v2/portal')
@UseGuards(ApiKeyGuard)
export class PortalController {
  constructor(private readonly portals: PortalService) {}

  @Get()
  @PortalAccess('read-only')
  @ApiOperation({
    summary: 'The portal link used: tenant, scope and branding',
    description: 'Answers 404 to a caller that is not using a portal link.',
  })
  @ApiOkResponse({ type: PortalDto })
  async current(@Principal() principal: Principal, @Req() req: Request): Promise<PortalDto> {
    const link = await this.portals.current(principal, credentialOf(req) ?? '');
    return {
      SubscriptionID: link.subscriptionId,
      Scope: link.scope,
      Branding: toBranding(link),
      ExpiresAt: link.expiresAt.toISOString(),
    };
  }
}
