import { bootstrapService } from '@hookline/service-kit';
import { CHANGE_INGEST_APP } from './change-ingest.app';

void bootstrapService(CHANGE_INGEST_APP);
