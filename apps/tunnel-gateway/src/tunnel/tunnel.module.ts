import { Module } from '@nestjs/common';
import { Notices } from '@hookline/messaging';
import { KeyRevocations } from './key-revocations';
import { ListenerAuthService } from './listener-auth.service';
import { NatsSpaceSubscriptions } from './nats-space-subscriptions';
import { SessionRegistry } from './session.registry';
import { SessionsController } from './sessions.controller';
import { SpaceSubscriptions } from './space-subscriptions';
import { TunnelServer } from './tunnel.server';

@Module({
  controllers: [SessionsController],
  providers: [
    { provide: SpaceSubscriptions, useClass: NatsSpaceSubscriptions },
    SessionRegistry,
    ListenerAuthService,
    TunnelServer,
    KeyRevocations,
    Notices,
  ],
})
export class TunnelModule {}
