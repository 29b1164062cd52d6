import { Module } from '@nestjs/common';
import { BreakerModule } from '../breaker/breaker.module';
import { ParkedJobs } from './parked-jobs.service';

@Module({ imports: [BreakerModule], providers: [ParkedJobs], exports: [ParkedJobs] })
export class ParkingModule {}
