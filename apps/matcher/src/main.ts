import { bootstrapService } from '@hookline/service-kit';
import { MATCHER_APP } from './matcher.app';

void bootstrapService(MATCHER_APP);
