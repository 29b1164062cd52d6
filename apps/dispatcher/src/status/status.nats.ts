import { Injectable } from '@nestjs/common';
import { SUBJECTS, type DispatchStatus } from '@hookline/contracts';
import { NatsClient, TenantRequestResponder, type RequestTenant } from '@hookline/messaging';
import { StatusService } from './status.service';

/**
 * Answers `dispatch.status.<subscriptionId>` for the registry's overview: breakers and parking
 * live in the dispatcher, and a request lets the registry give up on a dispatcher that is slow.
 */
@Injectable()
export class StatusNatsResponder extends TenantRequestResponder {
  constructor(
    nats: NatsClient,
    private readonly status: StatusService,
  ) {
    super(nats, SUBJECTS.dispatchStatusAll, 'dispatcher-status');
  }

  protected handle(_body: unknown, from: RequestTenant): Promise<DispatchStatus> {
    return this.status.dispatchStatus(from.tenant);
  }
}
