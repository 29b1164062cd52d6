import type { MsgHdrs } from '@nats-io/nats-core';

/** What a handler wants done with a message. Returning nothing means ack. */
export type Disposition = { kind: 'ack' } | { kind: 'nak'; delayMs: number } | { kind: 'term'; reason: string };

export const Ack: Disposition = { kind: 'ack' };
/** Redeliver later (a scheduled retry that survives a crash: the server holds the message). */
export const nakAfter = (delayMs: number): Disposition => ({ kind: 'nak', delayMs: Math.max(0, Math.round(delayMs)) });
/** Never redeliver: only for a poison message, after recording it. A reason is logged by the runner. */
export const term = (reason: string): Disposition => ({ kind: 'term', reason });

export interface MessageContext {
  subject: string;
  /** 1 on the first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  /** The publisher's `Nats-Msg-Id`, when it set one. */
  msgId?: string;
  streamSequence: number;
  headers?: MsgHdrs;
}

export type ConsumerHandler<T = unknown> = (payload: T, context: MessageContext) => Promise<Disposition | void>;
