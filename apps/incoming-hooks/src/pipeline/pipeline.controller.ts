import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { CreatePipelineDto, PipelineResponse, toPipelineResponse } from './dto/pipeline.dto';
import { PipelineService } from './pipeline.service';

@ApiTags('pipelines')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('pipelines')
@UseGuards(ApiKeyGuard)
export class PipelineController {
  constructor(private readonly pipelines: PipelineService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a pipeline' })
  @ApiCreatedResponse({ type: PipelineResponse })
  async create(@Principal() principal: Principal, @Body() body: CreatePipelineDto): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.create(principal, body));
  }

  @Get()
  @ApiOperation({ summary: 'List pipelines' })
  @ApiOkResponse({ type: [PipelineResponse] })
  async list(@Principal() principal: Principal): Promise<PipelineResponse[]> {
    return (await this.pipelines.list(principal)).map(toPipelineResponse);
  }

  @Get(':pipeline_id')
  @ApiOperation({ summary: 'Get a pipeline' })
  @ApiOkResponse({ type: PipelineResponse })
  async get(@Principal() principal: Principal, @Param('pipeline_id') id: string): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.get(principal, id));
  }
}
