import { Logger, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { ConfigClass, NatsMongoServiceConfig } from '../config/config';
import { ReadinessRegistry } from '../health/readiness.registry';
import { MetricsService } from '../metrics/metrics.service';
import { PeriodicTask } from '../scheduling/periodic-task';
import { buildIndexes, detectCapabilities, sweepExpired, type ExpiryRule } from './embedded';

export interface DatabaseOptions<C extends NatsMongoServiceConfig> {
  /** The service's config class; `url` picks the MongoDB URL out of it, the deadlines are its MONGO_*_MS. */
  config: ConfigClass<C>;
  url: (config: C) => string;
}

/** A server check of the driver's monitor that has not finished after this long is stuck (see MonitorWatchdog). */
const STUCK_CHECK_MS = 30_000;
const WATCHDOG_INTERVAL_MS = 5_000;
/** How often sweepExpired runs where the server lacks TTL indexes: expired documents live about this much longer. */
const EXPIRY_SWEEP_MS = 60_000;
/** A sweep still going after this long is reported; each delete in it has the driver's own deadlines. */
const EXPIRY_SWEEP_DEADLINE_MS = 30_000;

/** What the watchdog needs of the driver's per-server monitor (internal to the MongoDB driver). */
interface ServerMonitor {
  close(): void;
  connect(): void;
}

/**
 * Restarts the MongoDB driver's server monitor when one of its checks never finishes. The driver
 * (mongodb 7.x, polling monitoring, as with servers without streaming hello) can send a check's hello on a monitor
 * connection whose socket the server has just closed: the write waits for a `drain` that never
 * comes, the monitor never checks again, and the server stays "Unknown", so every operation fails
 * with a server selection error long after the database is back. The fault tests hit it about one
 * time in two when the MongoDB-wire server stops under load. A check normally ends within
 * connectTimeoutMS (MONGO_CONNECT_TIMEOUT_MS), failed or not.
 */
export class MonitorWatchdog {
  private readonly logger = new Logger('MongoMonitorWatchdog');
  private readonly checking = new Map<string, number>();
  private readonly task: PeriodicTask;

  constructor(
    private readonly connection: Connection,
    metrics: MetricsService,
  ) {
    const client = connection.getClient();
    client.on('serverHeartbeatStarted', (e) => this.checking.set(e.connectionId, Date.now()));
    client.on('serverHeartbeatSucceeded', (e) => this.checking.delete(e.connectionId));
    client.on('serverHeartbeatFailed', (e) => this.checking.delete(e.connectionId));
    this.task = new PeriodicTask(
      {
        name: 'mongo-monitor-watchdog',
        everyMs: WATCHDOG_INTERVAL_MS,
        deadlineMs: WATCHDOG_INTERVAL_MS,
        job: () => this.restartStuck(),
      },
      metrics,
    );
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  private restartStuck(): void {
    for (const [address, startedAt] of this.checking) {
      if (Date.now() - startedAt < STUCK_CHECK_MS) continue;
      this.checking.delete(address);
      const topology = (
        this.connection.getClient() as unknown as { topology?: { s?: { servers?: Map<string, unknown> } } }
      ).topology;
      const monitor = (topology?.s?.servers?.get(address) as { monitor?: Partial<ServerMonitor> } | undefined)?.monitor;
      if (typeof monitor?.close !== 'function' || typeof monitor.connect !== 'function') continue;
      this.logger.warn(
        { address, stuckMs: Date.now() - startedAt },
        'MongoDB server check stuck; restarting the monitor',
      );
      monitor.close();
      monitor.connect();
    }
  }
}

@Module({})
class DatabaseReadiness implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private watchdog?: MonitorWatchdog;
  private sweeper?: PeriodicTask;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.watchdog?.stop(), this.sweeper?.stop()]);
  }

  async onModuleInit(): Promise<void> {
    this.watchdog = new MonitorWatchdog(this.connection, this.metrics);
    try {
      const capabilities = await detectCapabilities(this.connection.db!);
      const { built, skipped, failed, unexpired } = await buildIndexes(this.connection, capabilities);
      // As with mongoose's own autoIndex: the service runs on, without the index that failed.
      for (const index of failed) this.logger.error({ index }, 'could not build an index');
      this.logger.log(
        { server: capabilities.server, built, skipped, failed: failed.length, sweptTtl: unexpired.length },
        'indexes ready',
      );
      if (unexpired.length > 0) this.sweepEvery(unexpired);
    } catch (err) {
      this.logger.error({ err: String(err) }, 'could not read the server version to build the indexes');
    }
    this.readiness.register('mongodb', async () => {
      const db = this.connection.db;
      if (!db || this.connection.readyState !== 1) return { ok: false, detail: 'not connected' };
      await db.admin().ping();
      return { ok: true };
    });
  }

  private sweepEvery(rules: ExpiryRule[]): void {
    this.sweeper = new PeriodicTask(
      {
        name: 'expired-documents-sweep',
        everyMs: EXPIRY_SWEEP_MS,
        deadlineMs: EXPIRY_SWEEP_DEADLINE_MS,
        job: () => sweepExpired(rules),
      },
      this.metrics,
    );
    this.sweeper.start();
  }
}

/** MongoDB through mongoose, with a readiness check. */
@Module({})
export class DatabaseModule {
  static forRoot<C extends NatsMongoServiceConfig>(options: DatabaseOptions<C>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [options.config],
          useFactory: (config: C) => ({
            uri: options.url(config),
            // Every operation has a deadline (the driver waits forever on a server that accepts but never
            // answers): a stalled database fails requests with 503 and handlers with a nak, not a hang.
            serverSelectionTimeoutMS: config.MONGO_SERVER_SELECTION_TIMEOUT_MS,
            // A server check gives up after this too (the driver's default is 30 s); see MonitorWatchdog.
            connectTimeoutMS: config.MONGO_CONNECT_TIMEOUT_MS,
            socketTimeoutMS: config.MONGO_SOCKET_TIMEOUT_MS,
            // Single-node servers (and the embedded one, docs/storage.md) have no retryable writes.
            retryWrites: false,
            // A read that timed out would wait its whole socket timeout again on the same server.
            retryReads: false,
            // buildIndexes does it, leaving out what the server never uses.
            autoIndex: false,
          }),
        }),
        DatabaseReadiness,
      ],
    };
  }
}
