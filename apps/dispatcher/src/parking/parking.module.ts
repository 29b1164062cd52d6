import { Module } from '@nestjs/common';
import { BlocklistModule } from '../blocklist/blocklist.module';
import { BreakerModule } from '../breaker/breaker.module';
import { ParkedJobs } from './parked-jobs.service';

@Module({ imports: [BreakerModule, BlocklistModule], providers: [ParkedJobs], exports: [ParkedJobs] })
export class ParkingModule {}
