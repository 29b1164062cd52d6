import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BLOCKED_URL_MODEL, BlockedUrlSchema } from '@hookline/blocklist';
import { BlocklistController } from './blocklist.controller';
import { BlocklistRepository } from './blocklist.repository';
import { BlocklistService } from './blocklist.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: BLOCKED_URL_MODEL, schema: BlockedUrlSchema }])],
  controllers: [BlocklistController],
  providers: [BlocklistRepository, BlocklistService],
  exports: [BlocklistService],
})
export class BlocklistModule {}
