import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { ChangeMessage } from '@hookline/contracts';
import { JetStreamEvent } from '@hookline/messaging';
import { MetricsService } from '@hookline/service-kit';
import type { Counter } from 'prom-client';
import { WebhookIndexService } from '../index/webhook-index.service';
import { MatchService } from './match.service';

/** CHANGES in, DELIVERIES out: acked only once every job of the change is stored. */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class ChangesController {
  private readonly jobs: Counter<'tenant'>;

  constructor(
    private readonly matches: MatchService,
    private readonly webhooks: WebhookIndexService,
    metrics: MetricsService,
  ) {
    this.jobs = metrics.counter('hookline_delivery_jobs_total', 'Delivery jobs published', ['tenant']);
  }

  @JetStreamEvent({ stream: 'CHANGES', durable: 'matcher', payload: ChangeMessage, concurrency: 64 })
  async onChange(@Payload() message: ChangeMessage): Promise<void> {
    // A change matched against a half-loaded index would miss webhooks.
    await this.webhooks.loaded;
    const jobs = this.matches.jobsFor(message);
    await this.matches.publish(jobs);
    if (jobs.length > 0) this.jobs.inc({ tenant: message.tenant }, jobs.length);
  }
}
