import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiExtraModels,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles, tenantOf } from '@hookline/auth';
import { ChangeService, type IngestResult } from './change.service';
import { IngestResultDto, RallyChangeInputDto, SnapshotChangeInputDto } from './dto/change-docs.dto';

const ONE_CHANGE = {
  oneOf: [{ $ref: getSchemaPath(RallyChangeInputDto) }, { $ref: getSchemaPath(SnapshotChangeInputDto) }],
};

@ApiTags('changes')
@ApiExtraModels(RallyChangeInputDto, SnapshotChangeInputDto)
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@UseGuards(ApiKeyGuard)
@Controller(['api/v2/changes', 'apps/pigeon/api/v2/changes'])
export class ChangeController {
  constructor(private readonly changes: ChangeService) {}

  @Post()
  @HttpCode(202)
  @Roles('admin', 'integration')
  @ApiOperation({
    summary: 'Submit one change or a batch',
    description:
      'Either full Rally change messages (message_id, action, object_id, object_type, state, changes, ...) or ' +
      'snapshot pairs {action, object_type, object_id, before, after, user, project}. 202 with the message ids.',
  })
  @ApiBody({ schema: { oneOf: [ONE_CHANGE, { type: 'array', maxItems: 1000, items: ONE_CHANGE }] } })
  @ApiAcceptedResponse({ type: IngestResultDto })
  submit(@Body() body: unknown, @Principal() principal: Principal): Promise<IngestResult> {
    return this.changes.ingest(body, { tenant: tenantOf(principal), subscriptionId: principal.subscriptionId });
  }
}
