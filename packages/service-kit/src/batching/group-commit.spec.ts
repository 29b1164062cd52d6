import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('flushes a lone call at once and gathers calls made during a flush into the next one', async () => {
    const flushed: number[][] = [];
    let release!: () => void;
    const firstFlushHeld = new Promise<void>((resolve) => (release = resolve));
    const commit = new GroupCommit<number, string>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await firstFlushHeld;
      return items.map((n) => ({ status: 'fulfilled', value: `done ${n}` }));
    }, 3);

    const first = commit.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4, 5].map((n) => commit.submit(n));
    release();

    expect(await first).toBe('done 1');
    expect(await Promise.all(later)).toEqual(['done 2', 'done 3', 'done 4', 'done 5']);
    expect(flushed).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('fails only the items the flush failed, and every item of a flush that throws', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (items) => {
      if (++calls === 2) throw new Error('database away');
      return items.map((n) =>
        n % 2 === 0 ? { status: 'rejected', reason: new Error(`odd one out ${n}`) } : { status: 'fulfilled', value: n },
      );
    }, 10);

    const results = await Promise.allSettled([commit.submit(1), commit.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await expect(commit.submit(3)).rejects.toThrow('database away');
    await expect(commit.submit(5)).resolves.toBe(5);
  });

  it('starts flushes at least the spacing apart, so steady calls gather into one batch', async () => {
    const flushed: { items: number[]; at: number }[] = [];
    const commit = new GroupCommit<number, number>(
      async (items) => {
        flushed.push({ items, at: performance.now() });
        return items.map((n) => ({ status: 'fulfilled', value: n }));
      },
      100,
      200,
    );

    await commit.submit(1);
    const steady: Promise<number>[] = [];
    for (let n = 2; n <= 6; n++) {
      steady.push(commit.submit(n));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(steady);

    expect(flushed.map((f) => f.items)).toEqual([[1], [2, 3, 4, 5, 6]]);
    expect(flushed[1].at - flushed[0].at).toBeGreaterThanOrEqual(195);
  });
});
