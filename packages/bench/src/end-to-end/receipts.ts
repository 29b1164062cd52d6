import type { Receiver } from '@hookline/testing';
import { now, type Tally } from '../tally';

/**
 * What the receivers in this process count: the deliveries of the run being measured, the
 * requests that reached receivers made bad, and after a bad round the deliveries of its changes
 * that reached them once back.
 */
export class Receipts {
  /** The run being measured; receipts between runs are not counted. */
  current: Tally | undefined;
  /** Indexes of the receivers that are bad right now. */
  readonly bad = new Set<number>();
  /** After a bad round: the distinct deliveries of its changes that reached the bad receivers once back. */
  recovering: { run: Tally; delivered: Set<string> } | undefined;

  constructor(private readonly badReceivers: readonly number[]) {}

  listen(receiver: Receiver, index: number): void {
    receiver.record = false;
    receiver.onRequest = (request) => {
      const at = now();
      const match = /"message_id":"([^"]+)"/.exec(request.body);
      if (!match) return;
      const deliveryId = request.headers['webhook-id'];
      const key = typeof deliveryId === 'string' ? deliveryId : match[1];
      if (this.recovering && this.badReceivers.includes(index) && this.recovering.run.sentAt.has(match[1]))
        this.recovering.delivered.add(key);
      const current = this.current;
      if (!current) return;
      if (this.bad.has(index)) {
        if (current.sentAt.has(match[1])) current.toBad++;
        return;
      }
      current.received(key, match[1], at, request.body.length);
    };
  }
}
