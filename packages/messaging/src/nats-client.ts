import { Logger } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/**
 * Publishes queued before one is written at once instead of at the end of the turn (the client's
 * hidden `pendingLimit`, 32 KiB by default): fewer, larger socket writes cost less CPU per delivery
 * (docs/decisions/010-delivery-hot-path.md).
 */
const SOCKET_BATCH_BYTES = 1024 * 1024;

/** One NATS connection per service, reconnecting forever; JetStream handles built from it. */
export class NatsClient {
  private readonly logger = new Logger('NatsClient');
  private connected = true;

  private constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    /** The deadline of one JetStream publish or API call (NATS_REQUEST_TIMEOUT_MS); adapters bound their calls by it. */
    readonly requestTimeoutMs: number,
  ) {
    void this.watchStatus();
  }

  /**
   * `requestTimeoutMs` bounds every JetStream publish and API call; `pingIntervalMs` how soon a
   * server that stopped answering is noticed (two unanswered pings) and reconnected to.
   */
  static async connect(
    url: string,
    name: string,
    { requestTimeoutMs = 5_000, pingIntervalMs = 10_000 }: { requestTimeoutMs?: number; pingIntervalMs?: number } = {},
  ): Promise<NatsClient> {
    const connection = await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      pingInterval: pingIntervalMs,
      maxPingOut: 2,
      // Otherwise every request (and so every JetStream publish) creates two Error objects up front
      // to carry its caller's stack, in case it times out, a cost every delivery pays
      // (docs/decisions/010-delivery-hot-path.md). Our logs show the error message, not that stack.
      noAsyncTraces: true,
      ...({ pendingLimit: SOCKET_BATCH_BYTES } as object),
    });
    const jsm = await jetstreamManager(connection, { timeout: requestTimeoutMs });
    return new NatsClient(connection, jetstream(connection, { timeout: requestTimeoutMs }), jsm, requestTimeoutMs);
  }

  get isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  /** Connected, and the server answers a ping now (a stopped server keeps the socket open). */
  async answers(): Promise<boolean> {
    if (!this.isConnected) return false;
    await this.connection.flush();
    return true;
  }

  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.connected = false;
          this.logger.warn(`disconnected from ${status.server}`);
          break;
        case 'reconnect':
          this.connected = true;
          this.logger.log(`reconnected to ${status.server}`);
          break;
        default:
          break;
      }
    }
  }
}
