import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, isBootstrapKey, Principal, Roles } from '@hookline/auth';
import { ApiKeyService } from './apikey.service';
import {
  ApiKeyListDto,
  CurrentPrincipalDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  toApiKeyResponse,
  type ApiKeyResponse,
  type CreatedApiKeyResponse,
} from './dto/apikey.dto';

/** Any caller may ask who it is: the console shows the tenant and roles and hides what they cannot do. */
@ApiTags('apikey')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/apikey/current')
@UseGuards(ApiKeyGuard)
export class CurrentPrincipalController {
  @Get()
  @ApiOperation({ summary: 'The caller: tenant, roles and shared spaces of the key used' })
  @ApiOkResponse({ type: CurrentPrincipalDto })
  current(@Principal() principal: Principal): CurrentPrincipalDto {
    return {
      SubscriptionID: principal.subscriptionId,
      KeyID: principal.keyId,
      Roles: principal.roles,
      SharedSpaces: principal.sharedSpaces,
      Operator: isBootstrapKey(principal),
    };
  }
}

@ApiTags('apikey')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/apikey')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class ApiKeyController {
  constructor(private readonly keys: ApiKeyService) {}

  /** Answers 200 like webhook creation; `Key` is shown only here. */
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create an API key', description: 'The key itself is in this answer only.' })
  @ApiOkResponse({ type: CreatedApiKeyResponseDto })
  async create(@Principal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    const { record, key } = await this.keys.create(principal, body);
    return { ...toApiKeyResponse(record), Key: key };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Never the keys themselves: a hint of each.' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@Principal() principal: Principal): Promise<{ Results: ApiKeyResponse[]; TotalResultCount: number }> {
    const keys = await this.keys.list(principal);
    return { Results: keys.map(toApiKeyResponse), TotalResultCount: keys.length };
  }

  /** Revokes the key: it stops authenticating at once. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'It stops authenticating at once; its tunnels close.' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  async revoke(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(principal, id);
  }
}
