import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { ApiKeyService } from './apikey.service';
import { CreateApiKeyDto, toApiKeyResponse, type ApiKeyResponse, type CreatedApiKeyResponse } from './dto/apikey.dto';

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
  async create(@Principal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    const { record, key } = await this.keys.create(principal, body);
    return { ...toApiKeyResponse(record), Key: key };
  }

  @Get()
  async list(@Principal() principal: Principal): Promise<{ Results: ApiKeyResponse[]; TotalResultCount: number }> {
    const keys = await this.keys.list(principal);
    return { Results: keys.map(toApiKeyResponse), TotalResultCount: keys.length };
  }

  /** Revokes the key: it stops authenticating at once. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(principal, id);
  }
}
