import { Module } from '@nestjs/common';
import { TunnelClient } from './tunnel.client';

@Module({ providers: [TunnelClient], exports: [TunnelClient] })
export class TunnelModule {}
