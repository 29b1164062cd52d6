import { bootstrapService } from '@hookline/service-kit';
import { DISPATCHER_APP } from './dispatcher.app';

void bootstrapService(DISPATCHER_APP);
