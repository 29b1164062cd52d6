import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles, tenantOf } from '@hookline/auth';
import { SessionsResponse, toSessionsResponse } from './dto/sessions.dto';
import { SessionRegistry } from './session.registry';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/sessions')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class SessionsController {
  constructor(private readonly registry: SessionRegistry) {}

  /** Live listeners of the caller's subscription on this gateway instance, by shared space. */
  @Get()
  @ApiOperation({
    summary: 'List live listeners by shared space',
    description: 'Those connected to this gateway instance.',
  })
  @ApiOkResponse({ type: SessionsResponse })
  list(@Principal() principal: Principal): SessionsResponse {
    return toSessionsResponse(this.registry.list(tenantOf(principal)));
  }
}
