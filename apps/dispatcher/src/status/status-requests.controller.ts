import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { SUBJECTS, type DispatchStatus } from '@hookline/contracts';
import { NatsRequestContext, requestTenant } from '@hookline/messaging';
import { StatusService } from './status.service';

/**
 * Answers `dispatch.status.<subscriptionId>` for the registry's overview: breakers and parking
 * live in the dispatcher, and a request lets the registry give up on a dispatcher that is slow.
 */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class StatusRequestsController {
  constructor(private readonly status: StatusService) {}

  @MessagePattern(SUBJECTS.dispatchStatusAll)
  dispatchStatus(@Ctx() context: NatsRequestContext): Promise<DispatchStatus> {
    return this.status.dispatchStatus(requestTenant(context.subject).tenant);
  }
}
