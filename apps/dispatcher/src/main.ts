import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'dispatcher',
  module: AppModule,
  openapi: { title: 'Hookline dispatcher', description: 'Delivers webhook payloads with retries, circuit breakers and signatures.' },
});
