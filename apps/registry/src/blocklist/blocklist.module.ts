import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BlockedUrlSchema, BLOCKED_URL_MODEL } from '@hookline/blocklist';
import { BlocklistController } from './blocklist.controller';
import { BlocklistRepository } from './blocklist.repository';

@Module({
  imports: [MongooseModule.forFeature([{ name: BLOCKED_URL_MODEL, schema: BlockedUrlSchema }])],
  controllers: [BlocklistController],
  providers: [BlocklistRepository],
  exports: [BlocklistRepository],
})
export class BlocklistModule {}
