import { randomUUID } from 'node:crypto';
import type { GatewayFrame, TunnelDeliveryReply, TunnelDeliveryRequest } from '@hookline/contracts';
import { gatewayReply } from './frames';

/** The socket side of a session: sending may fail silently because the close event cleans up. */
export interface ListenerLink {
  /** False when the connection is no longer open. */
  send(frame: GatewayFrame): boolean;
  /** Ends the connection with a close code; its close event then detaches the session. */
  close(code: number, reason: string): void;
}

export interface SessionLimits {
  maxInFlight: number;
  replyTimeoutMs: number;
}

export interface ListenerIdentity {
  subscriptionId: number;
  tenant: string;
  sharedSpace: string;
  keyId: string;
  remoteAddress: string;
}

export interface SessionSummary {
  id: string;
  keyId: string;
  remoteAddress: string;
  connectedAt: Date;
  inFlight: number;
  answered: number;
  failed: number;
}

type Finish = (reply: TunnelDeliveryReply, fromListener: boolean) => void;

/** One connected, authenticated listener and the deliveries it has not answered yet. */
export class ListenerSession {
  readonly id = randomUUID();
  readonly connectedAt = new Date();
  private readonly pending = new Map<string, Finish>();
  private answered = 0;
  private failed = 0;

  constructor(
    readonly identity: ListenerIdentity,
    private readonly link: ListenerLink,
    private readonly limits: SessionLimits,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  /** Back-pressure: a session at its limit gets no further frame until it answers one. */
  get saturated(): boolean {
    return this.pending.size >= this.limits.maxInFlight;
  }

  /** Sends the delivery and resolves with the listener's reply, or a retryable gateway reply; never rejects. */
  deliver(request: TunnelDeliveryRequest): Promise<TunnelDeliveryReply> {
    return new Promise((resolve) => {
      // The same id again means the dispatcher gave up on the earlier attempt: nobody waits for that one.
      this.pending.get(request.id)?.(gatewayReply(request.id, 504, 'superseded by a newer attempt'), false);
      const finish: Finish = (reply, fromListener) => {
        clearTimeout(timer);
        if (this.pending.get(request.id) === finish) this.pending.delete(request.id);
        if (fromListener) this.answered += 1;
        else this.failed += 1;
        resolve(reply);
      };
      const timer = setTimeout(
        () =>
          finish(
            gatewayReply(request.id, 504, `listener did not answer within ${this.limits.replyTimeoutMs} ms`),
            false,
          ),
        this.limits.replyTimeoutMs,
      );
      this.pending.set(request.id, finish);
      if (!this.link.send({ type: 'delivery', ...request }))
        finish(gatewayReply(request.id, 502, 'listener connection closed'), false);
    });
  }

  /** A reply from the listener; false when no delivery with that id is waiting (late or unknown). */
  settle(reply: TunnelDeliveryReply): boolean {
    const finish = this.pending.get(reply.id);
    if (!finish) return false;
    finish(reply, true);
    return true;
  }

  /** The connection is gone: every unanswered delivery fails now, retryably, instead of waiting out its timeout. */
  abandon(): void {
    for (const [id, finish] of [...this.pending]) finish(gatewayReply(id, 502, 'listener disconnected'), false);
  }

  /** Ends the connection, e.g. because its API key was revoked. */
  close(code: number, reason: string): void {
    this.link.close(code, reason);
  }

  summary(): SessionSummary {
    return {
      id: this.id,
      keyId: this.identity.keyId,
      remoteAddress: this.identity.remoteAddress,
      connectedAt: this.connectedAt,
      inFlight: this.inFlight,
      answered: this.answered,
      failed: this.failed,
    };
  }
}
