import { Injectable } from '@nestjs/common';
import { SUBJECTS, type ChangeMessage } from '@hookline/contracts';
import { JetStreamPublisher } from '@hookline/messaging';
import { HooklineError, jsonBodyProblem, type FieldProblem } from '@hookline/service-kit';
import { ChangeIngestConfig } from '../config/change-ingest.config';
import { parseChangeInput, type ChangeInput } from './dto/change-input';
import { toChangeMessage, type Producer } from './change.normalizer';

export interface IngestResult {
  accepted: number;
  message_ids: string[];
  /** Ids already accepted within the dedupe window: acknowledged again, published once. */
  duplicates: string[];
}

/** Validates, normalises and publishes changes; HTTP and NATS producers both come through here. */
@Injectable()
export class ChangeService {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly config: ChangeIngestConfig,
  ) {}

  async ingest(body: unknown, producer: Producer): Promise<IngestResult> {
    const changes = this.validate(body);
    const messages = changes.map((change) => toChangeMessage(change, producer));
    const acks = await Promise.all(messages.map((message) => this.publish(message)));
    return {
      accepted: messages.length,
      message_ids: messages.map((m) => m.message_id),
      duplicates: messages.filter((_, i) => acks[i]).map((m) => m.message_id),
    };
  }

  /** A single change or an array (a batch); all-or-nothing, so a producer never half-resends. */
  private validate(body: unknown): ChangeInput[] {
    // HTTP bodies were checked by the bootstrap already; changes from NATS producers were not.
    const shape = jsonBodyProblem(body, this.config.HTTP_BODY_MAX_DEPTH);
    if (shape) throw HooklineError.validation([shape]);
    const batch = Array.isArray(body);
    const items: unknown[] = batch ? body : [body];
    if (items.length === 0) throw HooklineError.validation([{ field: 'body', reason: 'the batch is empty' }]);
    if (items.length > this.config.INGEST_MAX_BATCH) {
      throw HooklineError.validation([
        {
          field: 'body',
          reason: `a batch holds at most ${this.config.INGEST_MAX_BATCH} changes (got ${items.length})`,
        },
      ]);
    }
    const problems: FieldProblem[] = [];
    const changes: ChangeInput[] = [];
    items.forEach((item, index) => {
      const parsed = parseChangeInput(item, batch ? `[${index}]` : '');
      problems.push(...parsed.problems);
      if (parsed.change) changes.push(parsed.change);
    });
    if (problems.length > 0) throw HooklineError.validation(problems, 'Some changes are invalid; nothing was accepted');
    return changes;
  }

  /** True when JetStream already had this message id (a re-send inside the dedupe window). */
  private async publish(message: ChangeMessage): Promise<boolean> {
    const ack = await this.publisher.publish(
      SUBJECTS.change(message.tenant, message.object_type, message.action),
      message,
      {
        msgId: `${message.tenant}:${message.message_id}`,
      },
    );
    return ack.duplicate;
  }
}
