import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { NatsClient } from '../nats-client';

/** A running follow(); stop() ends it. */
export interface NoticeSubscription {
  stop(): void;
}

/** The notice as an instance of its contract class, or undefined when it is not JSON or breaks its rules. */
export function parseNotice<T extends object>(cls: new () => T, data: () => unknown): T | undefined {
  let notice: T;
  try {
    notice = plainToInstance(cls, data());
  } catch {
    return undefined;
  }
  return validateSync(notice).length === 0 ? notice : undefined;
}

/**
 * Core NATS notices (not stored) that every instance gets: no queue group. An instance away from
 * NATS misses them, so whoever follows one also re-reads what it announces now and then.
 */
@Injectable()
export class Notices {
  private readonly logger = new Logger('Notices');

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  /** Hands each notice on `subject` that is a valid `cls` to `onNotice`; any other is logged and dropped. */
  follow<T extends object>(subject: string, cls: new () => T, onNotice: (notice: T) => void): NoticeSubscription {
    const subscription = this.nats.connection.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const notice = parseNotice(cls, () => msg.json<unknown>());
        if (notice) onNotice(notice);
        else this.logger.warn(`ignoring a notice on ${msg.subject} that is not a ${cls.name}`);
      },
    });
    return { stop: () => subscription.unsubscribe() };
  }
}
