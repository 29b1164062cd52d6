import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PipelineRunStateReport, SUBJECTS, type PipelineRunStateReply } from '@hookline/contracts';
import { NatsRequestContext, requestTenant } from '@hookline/messaging';
import { fieldProblems, HooklineError } from '@hookline/service-kit';
import { RunService } from './run.service';

/**
 * Runners report run states as core NATS requests on `runs.state.<subscriptionId>`, the internal
 * twin of `POST /pipelines/:pipeline_id/runs/:run_id/state`: the same RunService.report, so each
 * change reaches change-ingest the same way. Internal subjects are trusted like the others; the
 * tenant is the subject's, so a report only ever finds runs of that subscription.
 */
// Message handlers, no HTTP route: nothing of them belongs in the OpenAPI document.
@ApiExcludeController()
@Controller()
export class RunStateRequestsController {
  constructor(private readonly runs: RunService) {}

  @MessagePattern(SUBJECTS.runStateAll)
  async report(@Payload() body: unknown, @Ctx() context: NatsRequestContext): Promise<PipelineRunStateReply> {
    const from = requestTenant(context.subject);
    const report = parseReport(body);
    const { run, changed } = await this.runs.report(
      from.subscriptionId,
      report.pipelineId,
      report.runId,
      report.status,
      report.message,
    );
    return {
      result: changed ? 'changed' : 'unchanged',
      runId: run._id,
      pipelineId: run.pipelineId,
      status: run.status,
    };
  }
}

/** The same rules as the HTTP body: each problem named, unknown fields refused. */
function parseReport(raw: unknown): PipelineRunStateReport {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw HooklineError.validation([{ field: 'body', reason: 'must be a JSON object' }]);
  }
  const report = plainToInstance(PipelineRunStateReport, raw);
  const problems = fieldProblems(validateSync(report, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) throw HooklineError.validation(problems, 'The run state report is invalid');
  return report;
}
