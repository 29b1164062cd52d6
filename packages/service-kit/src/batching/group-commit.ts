/**
 * Gathers the calls made while a flush is under way into the next flush ("group commit"): a burst
 * of N calls costs a few flushes instead of N, and a lone call is flushed at once. One flush runs
 * at a time, so flushes never compete with each other for the database, and a flush starts at
 * most every `minSpacingMs`, so steady traffic is written in a few large batches rather than many
 * small ones (each costs a transaction and a commit whatever its size).
 */
export class GroupCommit<T, R> {
  private readonly queue: { item: T; resolve: (value: R) => void; reject: (reason: unknown) => void }[] = [];
  private draining = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** Handles a batch; answers one result per item, in order. Throwing fails every item of the batch. */
    private readonly flush: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly maxBatch: number,
    private readonly minSpacingMs = 0,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // Calls made in the same turn of the event loop (e.g. one pull's messages) join the first batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const wait = this.lastFlushAt + this.minSpacingMs - performance.now();
      if (wait > 0 && this.queue.length < this.maxBatch) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastFlushAt = performance.now();
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => {
          const result = results[i];
          if (result.status === 'fulfilled') entry.resolve(result.value);
          else entry.reject(result.reason);
        });
      } catch (err) {
        for (const entry of batch) entry.reject(err);
      }
    }
    this.draining = false;
  }
}
