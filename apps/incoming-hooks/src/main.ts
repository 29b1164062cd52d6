import { bootstrapService } from '@hookline/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  service: 'incoming-hooks',
  module: AppModule,
  openapi: { title: 'Hookline incoming hooks', description: 'HMAC-validated incoming hook URLs that trigger pipeline runs.' },
});
