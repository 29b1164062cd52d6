import { Module } from '@nestjs/common';
import { OriginGuard } from './origin-guard.service';

@Module({ providers: [OriginGuard], exports: [OriginGuard] })
export class BreakerModule {}
