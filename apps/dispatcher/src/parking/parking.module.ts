import { Module } from '@nestjs/common';
import { ParkedJobsQueue } from '@hookline/messaging';
import { BlocklistModule } from '../blocklist/blocklist.module';
import { BreakerModule } from '../breaker/breaker.module';
import { ParkedJobs } from './parked-jobs.service';

@Module({ imports: [BreakerModule, BlocklistModule], providers: [ParkedJobs, ParkedJobsQueue], exports: [ParkedJobs] })
export class ParkingModule {}
