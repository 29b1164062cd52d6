import { Injectable } from '@nestjs/common';
import { SUBJECTS } from '@hookline/contracts';
import { NatsClient, TenantRequestResponder, type RequestTenant } from '@hookline/messaging';
import { ChangeService, type IngestResult } from './change.service';

/**
 * High-rate internal producers publish on `ingest.changes.<subscriptionId>` with a reply
 * subject; the reply says the changes are stored in CHANGES (or why they were refused), so a
 * producer that gets no reply re-sends, and the message-id dedupe makes that harmless.
 */
@Injectable()
export class ChangeNatsListener extends TenantRequestResponder {
  constructor(
    nats: NatsClient,
    private readonly changes: ChangeService,
  ) {
    super(nats, SUBJECTS.ingestAll, 'change-ingest');
  }

  protected handle(body: unknown, from: RequestTenant): Promise<IngestResult> {
    return this.changes.ingest(body, from);
  }
}
