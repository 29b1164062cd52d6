import { bootstrapService } from '@hookline/service-kit';
import { INCOMING_HOOKS_APP } from './incoming-hooks.app';

void bootstrapService(INCOMING_HOOKS_APP);
