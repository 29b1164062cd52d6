import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyRecord, ApiKeySchema } from './api-key.schema';

/**
 * API-key authentication for a service that uses DatabaseModule. Global so that `@UseGuards(ApiKeyGuard)`
 * works in every feature module without importing this one again.
 */
@Global()
@Module({
  imports: [MongooseModule.forFeature([{ name: ApiKeyRecord.name, schema: ApiKeySchema }])],
  providers: [ApiKeyRepository, ApiKeyGuard],
  exports: [ApiKeyRepository, ApiKeyGuard],
})
export class AuthModule {}
