import { Module } from '@nestjs/common';
import { PortalController, PortalLinkController } from './portal.controller';
import { PortalService } from './portal.service';

/** Portal links; their storage and their check on every request come from the shared AuthModule. */
@Module({
  controllers: [PortalLinkController, PortalController],
  providers: [PortalService],
})
export class PortalModule {}
