import { Tally } from './tally';

describe('Tally', () => {
  it('takes the send time from the delivery when another process sent the change', async () => {
    const tally = new Tally('run', 2);
    tally.received('delivery-1', 'r1-0', 1_010, 100, 1_000);
    tally.received('delivery-1', 'r1-0', 1_020, 100, 1_000);
    tally.received('delivery-2', 'r1-1', 1_030, 100, 1_005);

    expect(await tally.complete(0)).toBe(true);
    expect(tally.latencies).toEqual([10, 25]);
    expect(tally.duplicates).toBe(1);
    expect(tally.firstSend).toBe(1_000);
    expect(tally.deliveriesPerSecond).toBeCloseTo(2 / 0.03);
  });

  it('ignores a delivery whose change it neither sent nor was given a send time for', () => {
    const tally = new Tally('run', 1);
    tally.received('delivery-1', 'other-0', 1_010, 100);
    expect(tally.seen.size).toBe(0);
  });
});
