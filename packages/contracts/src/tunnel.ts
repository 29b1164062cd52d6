/**
 * The WebSocket tunnel: what the dispatcher asks a tunnel gateway over core NATS request/reply
 * (`SUBJECTS.tunnelDelivery`), and the frames the gateway and a listener exchange.
 *
 * COMPATIBILITY PROMISE: listeners are installed by customers and updated on their schedule, so
 * frame shapes, close codes and the path are a public wire contract: add optional fields, do not
 * rename or remove.
 */

/** NATS request payload: one delivery for the listener of a shared space. `body` is the JSON payload as sent. */
export interface TunnelDeliveryRequest {
  /** The delivery id; the reply carries it back. */
  id: string;
  webhookId: string;
  /**
   * The webhook's TargetUrl: a listener serving several webhooks POSTs each to its own local URL
   * (and falls back to its `--forward` URL when this one is not one it may reach). Absent from
   * dispatchers older than the field.
   */
  targetUrl?: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * NATS reply payload: the listener's answer, or the gateway's own when it could not get one
 * (503 every listener busy, 502 listener gone mid-delivery, 504 no answer in time): all retryable.
 */
export interface TunnelDeliveryReply {
  id: string;
  status: number;
  headers?: Record<string, string>;
  /** An excerpt of the receiver's response body. */
  body?: string;
}

/** `ws[s]://<host>:<port>` + this path opens a tunnel for one shared space. */
export const TUNNEL_PATH_PATTERN = /^\/messaging\/shared_spaces\/([^/]+)\/webhooks\/?$/;

export function tunnelPath(sharedSpace: string): string {
  return `/messaging/shared_spaces/${encodeURIComponent(sharedSpace)}/webhooks`;
}

/** Gateway → listener, once authenticated: deliveries may flow from now on. */
export interface TunnelReadyFrame {
  type: 'ready';
  sessionId: string;
  sharedSpace: string;
  /** Most deliveries the gateway leaves unanswered on this connection at a time. */
  maxInFlight: number;
  /** The gateway pings this often; a listener that hears nothing for a few intervals may reconnect. */
  heartbeatMs: number;
}

/** Gateway → listener: one delivery to POST to the receiver. */
export interface TunnelDeliveryFrame extends TunnelDeliveryRequest {
  type: 'delivery';
}

export type GatewayFrame = TunnelReadyFrame | TunnelDeliveryFrame;

/** Listener → gateway, as first message when the key is not sent in a header. */
export interface TunnelAuthFrame {
  type: 'auth';
  key: string;
}

/** Listener → gateway: the receiver's answer to a delivery frame. */
export interface TunnelReplyFrame extends TunnelDeliveryReply {
  type: 'reply';
}

export type ListenerFrame = TunnelAuthFrame | TunnelReplyFrame;

/** WebSocket close codes the gateway uses (4000–4999 is the application range). */
export const TUNNEL_CLOSE = {
  /** A frame that is not JSON or not one of ListenerFrame. */
  protocolError: 4400,
  /** No key, an unknown or revoked key, or no key within the auth timeout. Do not retry with it. */
  unauthenticated: 4401,
  /** The key lacks the `integration` role or is not assigned to the shared space. Do not retry with it. */
  forbidden: 4403,
  /** The gateway is stopping; reconnect (another instance will take the listener). */
  goingAway: 1001,
  /** The gateway could not check the key (e.g. its database is down); reconnect later. */
  internalError: 1011,
} as const;

/** Close codes after which reconnecting with the same key and space cannot succeed. */
export function isFatalTunnelClose(code: number): boolean {
  return code === TUNNEL_CLOSE.unauthenticated || code === TUNNEL_CLOSE.forbidden;
}
