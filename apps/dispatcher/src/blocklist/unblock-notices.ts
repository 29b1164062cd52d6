import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SUBJECTS, UrlUnblockedEvent } from '@hookline/contracts';
import { NatsClient } from '@hookline/messaging';

/** While NATS is reconnecting a flush waits; the admin's request should not wait that long. */
const CONFIRM_MS = 3_000;

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

  /**
   * Resolves once the NATS server has the notice, so it reaches the other instances before the
   * admin's answer; rejects when the server does not confirm it within a few seconds.
   */
  async announce(event: UrlUnblockedEvent): Promise<void> {
    this.nats.connection.publish(SUBJECTS.urlUnblocked(event.tenant), JSON.stringify(event));
    const flushed = this.nats.connection.flush();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('NATS did not confirm the unblock notice in time')), CONFIRM_MS);
    });
    try {
      await Promise.race([flushed, late]);
    } finally {
      clearTimeout(timer);
      // A flush still pending once we stopped waiting has no one to tell.
      flushed.catch(() => undefined);
    }
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
