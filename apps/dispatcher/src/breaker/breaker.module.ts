import { Module } from '@nestjs/common';
import { OriginBreaker } from './origin-breaker.service';

@Module({ providers: [OriginBreaker], exports: [OriginBreaker] })
export class BreakerModule {}
