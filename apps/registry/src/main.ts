import { bootstrapService } from '@hookline/service-kit';
import { REGISTRY_APP } from './registry.app';

void bootstrapService(REGISTRY_APP);
