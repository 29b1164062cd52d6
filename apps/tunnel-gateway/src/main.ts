import { bootstrapService } from '@hookline/service-kit';
import { TUNNEL_GATEWAY_APP } from './tunnel-gateway.app';

void bootstrapService(TUNNEL_GATEWAY_APP);
