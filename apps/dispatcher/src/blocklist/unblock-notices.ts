import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SUBJECTS, UrlUnblockedEvent } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';

/**
 * Unblock notices between dispatcher instances over core NATS (no queue group: every instance
 * gets each one). A notice an instance misses (it was disconnected) is made up for by the
 * blocklist's periodic re-read.
 */
@Injectable()
export class UnblockNotices implements OnApplicationShutdown {
  private readonly logger = new Logger('UnblockNotices');
  private subscription?: Subscription;

  constructor(private readonly nats: NatsClient) {}

  /** Calls `apply` for every valid notice, this instance's own included. */
  follow(apply: (event: UrlUnblockedEvent) => void): void {
    this.subscription = this.nats.connection.subscribe(SUBJECTS.urlUnblockedAll, {
      callback: (err, msg) => {
        if (err) return;
        const event = parse(msg);
        if (event) apply(event);
        else this.logger.warn(`ignoring a notice on ${msg.subject} that is not a UrlUnblockedEvent`);
      },
    });
  }

  /** Resolves once the NATS server has the notice, so it reaches the other instances before the admin's answer. */
  async announce(event: UrlUnblockedEvent): Promise<void> {
    this.nats.connection.publish(SUBJECTS.urlUnblocked(event.tenant), JSON.stringify(event));
    await this.nats.connection.flush();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}

function parse(msg: Msg): UrlUnblockedEvent | undefined {
  let event: UrlUnblockedEvent;
  try {
    event = plainToInstance(UrlUnblockedEvent, msg.json<unknown>());
  } catch {
    return undefined;
  }
  return validateSync(event).length === 0 ? event : undefined;
}
