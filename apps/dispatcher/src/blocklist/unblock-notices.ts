import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SUBJECTS, UrlUnblockedEvent } from '@hookline/contracts';
import { JetStreamPublisher, Notices, type NoticeSubscription } from '@hookline/messaging';

/** While NATS is reconnecting a flush waits; the admin's request should not wait that long. */
const CONFIRM_MS = 3_000;

/**
 * Unblock notices between dispatcher instances over core NATS (no queue group: every instance
 * gets each one). A notice an instance misses (it was disconnected) is made up for by the
 * blocklist's periodic re-read.
 */
@Injectable()
export class UnblockNotices implements OnApplicationShutdown {
  private subscription?: NoticeSubscription;

  constructor(
    private readonly notices: Notices,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /** Calls `apply` for every valid notice, this instance's own included. */
  follow(apply: (event: UrlUnblockedEvent) => void): void {
    this.subscription = this.notices.follow(SUBJECTS.urlUnblockedAll, UrlUnblockedEvent, apply);
  }

  /**
   * Resolves once the NATS server has the notice, so it reaches the other instances before the
   * admin's answer; rejects when the server does not confirm it within a few seconds.
   */
  async announce(event: UrlUnblockedEvent): Promise<void> {
    await this.publisher.notifyConfirmed(SUBJECTS.urlUnblocked(event.tenant), event, CONFIRM_MS);
  }

  onApplicationShutdown(): void {
    this.subscription?.stop();
  }
}
