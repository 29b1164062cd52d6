import type { BlockedUrlRecord } from './blocked-url.schema';
import { DispatcherConfig } from '../config/dispatcher.config';
import type { UrlUnblockedEvent } from '@hookline/contracts';
import { MetricsService } from '@hookline/service-kit';
import type { BlocklistRepository, NewBlock } from './blocklist.repository';
import { BlocklistService, subscriptionOf } from './blocklist.service';
import type { UnblockNotices } from './unblock-notices';

/** Stands in for MongoDB: keeps what `block` wrote; `active` answers what the test decides. */
class FakeRepository {
  readonly blocks: NewBlock[] = [];
  active: () => Promise<BlockedUrlRecord[]> = async () => [];
  removed = true;
  async remove(): Promise<boolean> {
    return this.removed;
  }
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

/** Stands in for NATS: what was announced, and a way to deliver another instance's notice. */
class FakeNotices {
  readonly announced: UrlUnblockedEvent[] = [];
  private apply: (event: UrlUnblockedEvent) => void = () => undefined;
  follow(apply: (event: UrlUnblockedEvent) => void): void {
    this.apply = apply;
  }
  async announce(event: UrlUnblockedEvent): Promise<void> {
    this.announced.push(event);
  }
  fromAnotherInstance(id: string): void {
    this.apply({ tenant: '100', id, unblockedAt: new Date().toISOString() });
  }
}

const CONFIG = () =>
  Object.assign(new DispatcherConfig(), {
    WEBHOOK_REQUEST_TIMEOUT: 1000,
    BLOCK_STRIKES: 3,
    BLOCK_SLOW_PERCENT: 80,
    BLOCK_COOLOFF_MS: 60_000,
    BLOCKLIST_REFRESH_MS: 600_000,
  });

const newService = (repo: FakeRepository, notices = new FakeNotices()) =>
  new BlocklistService(
    CONFIG(),
    repo as unknown as BlocklistRepository,
    notices as unknown as UnblockNotices,
    new MetricsService('dispatcher'),
  );

describe('BlocklistService strikes', () => {
  const url = 'https://slow.example.com/hook';
  let repo: FakeRepository;
  let service: BlocklistService;

  beforeEach(() => {
    repo = new FakeRepository();
    service = newService(repo);
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

describe('BlocklistService unblocks', () => {
  const url = 'https://slow.example.com/hook';
  const id = `100:${url}`;
  const record: BlockedUrlRecord = {
    _id: id,
    SubscriptionID: 100,
    Url: url,
    WebhookID: null,
    Reason: 'slow',
    BlockedAt: new Date(),
    Until: null,
    Count: 1,
  };
  let repo: FakeRepository;
  let notices: FakeNotices;
  let service: BlocklistService;

  beforeEach(() => {
    repo = new FakeRepository();
    notices = new FakeNotices();
    service = newService(repo, notices);
  });

  afterEach(() => service.onApplicationShutdown());

  it("lifts a block at once on another instance's notice", async () => {
    repo.active = async () => [record];
    await service.onApplicationBootstrap();
    expect(service.blockOf('100', url)).toMatchObject({ Url: url });
    notices.fromAnotherInstance(id);
    expect(service.blockOf('100', url)).toBeNull();
  });

  it('does not bring back a block lifted while a re-read was under way', async () => {
    let answer: (records: BlockedUrlRecord[]) => void = () => undefined;
    repo.active = () => new Promise((resolve) => (answer = resolve));
    const booting = service.onApplicationBootstrap();
    notices.fromAnotherInstance(id);
    answer([record]);
    await booting;
    expect(service.blockOf('100', url)).toBeNull();
  });

  it('unblocks here, tells the other instances, and answers false for a record it does not have', async () => {
    repo.active = async () => [record];
    await service.onApplicationBootstrap();
    expect(await service.unblock('100', id)).toBe(true);
    expect(service.blockOf('100', url)).toBeNull();
    expect(notices.announced).toEqual([{ tenant: '100', id, unblockedAt: expect.any(String) }]);
    repo.removed = false;
    expect(await service.unblock('100', id)).toBe(false);
    expect(notices.announced).toHaveLength(1);
  });
});
