import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyRecord, ApiKeySchema } from './api-key.schema';
import { PortalLinkRepository } from './portal-link.repository';
import { PortalLinkRecord, PortalLinkSchema } from './portal-link.schema';
import { UserSessionRepository } from './user-session.repository';
import { UserSessionRecord, UserSessionSchema } from './user-session.schema';

/**
 * API-key, user-token and portal-link authentication for a service that uses DatabaseModule. Global so that
 * `@UseGuards(ApiKeyGuard)` works in every feature module without importing this one again.
 */
@Global()
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ApiKeyRecord.name, schema: ApiKeySchema },
      { name: UserSessionRecord.name, schema: UserSessionSchema },
      { name: PortalLinkRecord.name, schema: PortalLinkSchema },
    ]),
  ],
  providers: [ApiKeyRepository, ApiKeyAuthenticator, UserSessionRepository, PortalLinkRepository, ApiKeyGuard],
  exports: [ApiKeyRepository, ApiKeyAuthenticator, UserSessionRepository, PortalLinkRepository, ApiKeyGuard],
})
export class AuthModule {}
