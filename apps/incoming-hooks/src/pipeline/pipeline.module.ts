import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PipelineController } from './pipeline.controller';
import { PipelineRepository } from './pipeline.repository';
import { PIPELINE_MODEL, PipelineSchema } from './pipeline.schema';
import { PipelineService } from './pipeline.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: PIPELINE_MODEL, schema: PipelineSchema }])],
  controllers: [PipelineController],
  providers: [PipelineRepository, PipelineService],
  exports: [PipelineService],
})
export class PipelineModule {}
