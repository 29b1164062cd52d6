import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import { CreatePipelineDto, toPipelineResponse, type PipelineResponse } from './dto/pipeline.dto';
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
  async create(@Principal() principal: Principal, @Body() body: CreatePipelineDto): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.create(principal, body));
  }

  @Get()
  async list(@Principal() principal: Principal): Promise<PipelineResponse[]> {
    return (await this.pipelines.list(principal)).map(toPipelineResponse);
  }

  @Get(':pipeline_id')
  async get(@Principal() principal: Principal, @Param('pipeline_id') id: string): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.get(principal, id));
  }
}
