import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
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
import type { Request } from 'express';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { CreateHookDto, RotateSecretDto, UpdateHookDto } from './dto/hook-request.dto';
import { HookResponse, toHookResponse } from './dto/hook-response.dto';
import { HookService } from './hook.service';

/** The Devopness paths: `POST /pipelines/{id}/hooks/incoming`, `GET /pipelines/{id}/hooks`. */
@ApiTags('hooks')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('pipelines/:pipeline_id/hooks')
@UseGuards(ApiKeyGuard)
export class HookController {
  constructor(
    private readonly hooks: HookService,
    private readonly config: IncomingHooksConfig,
  ) {}

  @Post('incoming')
  @Roles('admin')
  @ApiOperation({ summary: 'Create an incoming hook; the answer holds its url and, this once, its secret' })
  @ApiCreatedResponse({ type: HookResponse })
  async create(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Body() body: CreateHookDto,
    @Req() req: Request,
  ): Promise<HookResponse> {
    const { hook, secret } = await this.hooks.create(principal, pipelineId, body);
    return toHookResponse(hook, this.origin(req), secret);
  }

  @Get()
  @ApiOperation({ summary: 'List a pipeline’s incoming hooks', description: 'Secrets masked.' })
  @ApiOkResponse({ type: [HookResponse] })
  async list(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Req() req: Request,
  ): Promise<HookResponse[]> {
    const origin = this.origin(req);
    return (await this.hooks.list(principal, pipelineId)).map((hook) => toHookResponse(hook, origin));
  }

  @Get(':hook_id')
  @ApiOperation({ summary: 'Get an incoming hook' })
  @ApiOkResponse({ type: HookResponse })
  async get(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('hook_id') id: string,
    @Req() req: Request,
  ): Promise<HookResponse> {
    return toHookResponse(await this.hooks.get(principal, pipelineId, id), this.origin(req));
  }

  /** Disables or re-enables the hook: a disabled hook's URL answers 404. */
  @Patch(':hook_id')
  @Roles('admin')
  @ApiOperation({ summary: 'Disable or re-enable an incoming hook', description: 'A disabled hook’s URL answers 404.' })
  @ApiOkResponse({ type: HookResponse })
  async update(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('hook_id') id: string,
    @Body() body: UpdateHookDto,
    @Req() req: Request,
  ): Promise<HookResponse> {
    return toHookResponse(await this.hooks.setDisabled(principal, pipelineId, id, body.disabled), this.origin(req));
  }

  @Delete(':hook_id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an incoming hook' })
  @ApiNoContentResponse({ description: 'Deleted; its URL answers 404.' })
  async delete(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('hook_id') id: string,
  ): Promise<void> {
    await this.hooks.delete(principal, pipelineId, id);
  }

  @Post(':hook_id/secret/rotate')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'New secret, shown this once; the old one verifies until previous_secret_expires_at' })
  @ApiOkResponse({ type: HookResponse })
  async rotate(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('hook_id') id: string,
    @Body() body: RotateSecretDto,
    @Req() req: Request,
  ): Promise<HookResponse> {
    const { hook, secret } = await this.hooks.rotateSecret(principal, pipelineId, id, body);
    return toHookResponse(hook, this.origin(req), secret);
  }

  private origin(req: Request): string {
    return this.config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  }
}
