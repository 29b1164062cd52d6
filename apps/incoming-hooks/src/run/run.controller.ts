import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { RunListQueryDto, RunResponse, RunStateDto, toRunResponse } from './dto/run.dto';
import { RunService } from './run.service';

@ApiTags('runs')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('pipelines/:pipeline_id/runs')
@UseGuards(ApiKeyGuard)
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Get()
  @ApiOperation({ summary: 'List a pipeline’s runs', description: 'Newest first.' })
  @ApiOkResponse({ type: [RunResponse] })
  async list(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Query() query: RunListQueryDto,
  ): Promise<RunResponse[]> {
    return (await this.runs.list(principal, pipelineId, query)).map(toRunResponse);
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Get a run, with its history' })
  @ApiOkResponse({ type: RunResponse })
  async get(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('run_id') runId: string,
  ): Promise<RunResponse> {
    return toRunResponse(await this.runs.get(principal, pipelineId, runId));
  }

  @Post(':run_id/state')
  @HttpCode(200)
  @Roles('admin', 'integration')
  @ApiOperation({
    summary:
      'A runner reports the run running, succeeded or failed; each change reaches change-ingest as a PipelineRun change',
    description:
      'Runners on the internal network can report the same as a NATS request on `runs.state.<subscription id>` ' +
      'with `{pipelineId, runId, status, message?}`.',
  })
  @ApiOkResponse({ type: RunResponse })
  async report(
    @Principal() principal: Principal,
    @Param('pipeline_id') pipelineId: string,
    @Param('run_id') runId: string,
    @Body() body: RunStateDto,
  ): Promise<RunResponse> {
    const { run } = await this.runs.report(principal.subscriptionId, pipelineId, runId, body.status, body.message);
    return toRunResponse(run);
  }
}
