import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { SUBJECTS } from '@hookline/contracts';
import { NatsRequestContext, requestTenant } from '@hookline/messaging';
import { ChangeService, type IngestResult } from './change.service';

/**
 * High-rate internal producers publish on `ingest.changes.<subscriptionId>` with a reply
 * subject; the reply says the changes are stored in CHANGES (or why they were refused), so a
 * producer that gets no reply re-sends, and the message-id dedupe makes that harmless.
 */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class ChangeRequestsController {
  constructor(private readonly changes: ChangeService) {}

  @MessagePattern(SUBJECTS.ingestAll)
  ingest(@Payload() body: unknown, @Ctx() context: NatsRequestContext): Promise<IngestResult> {
    return this.changes.ingest(body, requestTenant(context.subject));
  }
}
