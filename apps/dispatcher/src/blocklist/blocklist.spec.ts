import type { BlockedUrlRecord } from '@hookline/blocklist';
import { DispatcherConfig } from '../config/dispatcher.config';
import type { BlocklistRepository, NewBlock } from './blocklist.repository';
import { BlocklistService, subscriptionOf } from './blocklist.service';

/** Stands in for MongoDB: keeps what `block` wrote. */
class FakeRepository {
  readonly blocks: NewBlock[] = [];
  async block(block: NewBlock): Promise<BlockedUrlRecord> {
    this.blocks.push(block);
    return {
      _id: `${block.subscriptionId}:${block.url}`,
      SubscriptionID: block.subscriptionId,
      Url: block.url,
      WebhookID: block.webhookId,
      Reason: block.reason,
      BlockedAt: block.blockedAt,
      Until: block.until,
      Count: 1,
    };
  }
}

describe('BlocklistService strikes', () => {
  const url = 'https://slow.example.com/hook';
  let repo: FakeRepository;
  let service: BlocklistService;

  beforeEach(() => {
    repo = new FakeRepository();
    const config = Object.assign(new DispatcherConfig(), {
      WEBHOOK_REQUEST_TIMEOUT: 1000,
      BLOCK_STRIKES: 3,
      BLOCK_SLOW_PERCENT: 80,
      BLOCK_COOLOFF_MS: 60_000,
    });
    service = new BlocklistService(config, repo as unknown as BlocklistRepository);
  });

  it('blocks after BLOCK_STRIKES slow, timed-out or invalid answers in a row', async () => {
    expect(await service.observe('100', 'wh', url, { latencyMs: 850, status: 200 })).toBeNull();
    expect(await service.observe('100', 'wh', url, { latencyMs: 1000, errorKind: 'timeout' })).toBeNull();
    const record = await service.observe('100', 'wh', url, { latencyMs: 3, errorKind: 'invalid-http' });
    expect(record).toMatchObject({ SubscriptionID: 100, Url: url, Reason: '3 invalid HTTP answers in a row' });
    expect(repo.blocks[0].until.getTime() - repo.blocks[0].blockedAt.getTime()).toBe(60_000);
    expect(service.blockOf('100', url)).toMatchObject({ Url: url });
    expect(service.blockOf('200', url)).toBeNull();
  });

  it('starts counting again after a prompt answer; connection errors change nothing', async () => {
    await service.observe('100', 'wh', url, { latencyMs: 900, status: 200 });
    await service.observe('100', 'wh', url, { latencyMs: 900, status: 200 });
    await service.observe('100', 'wh', url, { latencyMs: 20, status: 500 });
    await service.observe('100', 'wh', url, { latencyMs: 900, status: 200 });
    await service.observe('100', 'wh', url, { latencyMs: 5, errorKind: 'connection' });
    expect(await service.observe('100', 'wh', url, { latencyMs: 900, status: 200 })).toBeNull();
    expect(repo.blocks).toHaveLength(0);
  });

  it('only stores blocks for tenants that are subscription ids', async () => {
    expect(subscriptionOf('100')).toBe(100);
    expect(subscriptionOf('tenant-a')).toBeNull();
    for (let i = 0; i < 5; i++)
      expect(await service.observe('tenant-a', 'wh', url, { latencyMs: 1000, errorKind: 'timeout' })).toBeNull();
  });
});
