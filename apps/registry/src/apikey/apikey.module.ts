import { Module } from '@nestjs/common';
import { ApiKeyController, CurrentPrincipalController } from './apikey.controller';
import { ApiKeyService } from './apikey.service';

/** Key storage and the guard come from the shared AuthModule; this adds the management API. */
@Module({
  // CurrentPrincipalController first, so `current` is not taken for a key id.
  controllers: [CurrentPrincipalController, ApiKeyController],
  providers: [ApiKeyService],
})
export class ApiKeyModule {}
