import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Notices } from '@hookline/messaging';
import { BLOCKED_URL_MODEL, BlockedUrlSchema } from './blocked-url.schema';
import { BlocklistController } from './blocklist.controller';
import { BlocklistRepository } from './blocklist.repository';
import { BlocklistService } from './blocklist.service';
import { UnblockNotices } from './unblock-notices';

@Module({
  imports: [MongooseModule.forFeature([{ name: BLOCKED_URL_MODEL, schema: BlockedUrlSchema }])],
  controllers: [BlocklistController],
  providers: [BlocklistRepository, BlocklistService, UnblockNotices, Notices],
  exports: [BlocklistService],
})
export class BlocklistModule {}
