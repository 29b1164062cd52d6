import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'tunnel-gateway',
  module: AppModule,
  openapi: { title: 'Hookline tunnel gateway', description: 'WebSocket tunnel for receivers behind a firewall.' },
});
