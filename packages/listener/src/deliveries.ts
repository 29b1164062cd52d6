import type { TunnelDeliveryFrame, TunnelDeliveryReply } from '@hookline/contracts';

/** What the listener does with one delivery; resolves with the reply for the gateway, never rejects. */
export type DeliveryHandler = (delivery: TunnelDeliveryFrame) => Promise<TunnelDeliveryReply>;

/** The reply carries an excerpt: enough for the delivery log, small enough for one frame. */
export const MAX_BODY_EXCERPT_CHARS = 4096;

/** Hop-by-hop or computed headers that the local POST must set itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

/** Response headers the dispatcher acts on. */
const RETURNED = ['content-type', 'retry-after'];

/** POSTs each delivery to the local receiver and replies with its status and a body excerpt. */
export function forwardTo(target: string, timeoutMs: number): DeliveryHandler {
  return async (delivery) => {
    const headers = Object.fromEntries(
      Object.entries(delivery.headers).filter(([name]) => !NOT_FORWARDED.has(name.toLowerCase())),
    );
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers,
        body: delivery.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      const returned: Record<string, string> = {};
      for (const name of RETURNED) {
        const value = response.headers.get(name);
        if (value !== null) returned[name] = value;
      }
      return {
        id: delivery.id,
        status: response.status,
        headers: returned,
        body: text.slice(0, MAX_BODY_EXCERPT_CHARS),
      };
    } catch (err) {
      // Statuses the dispatcher retries: the receiver may just be restarting.
      const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
      return {
        id: delivery.id,
        status: timedOut ? 504 : 502,
        body: timedOut
          ? `local receiver did not answer within ${timeoutMs} ms`
          : `local receiver unreachable: ${describe(err)}`,
      };
    }
  };
}

export interface RouteOptions {
  /** Where deliveries go whose own target this listener does not reach (`--forward`). */
  forward?: string;
  /** Hosts (`name` or `name:port`) besides this machine's loopback that targets may name (`--allow-host`). */
  allowHosts: readonly string[];
  timeoutMs: number;
}

const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/;

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.endsWith('.localhost') || LOOPBACK_V4.test(hostname) || hostname === '[::1]'
  );
}

/**
 * Where one delivery goes: its webhook's own TargetUrl when that is an http(s) URL on this
 * machine's loopback or on a host the user allowed, else the `--forward` URL (undefined when there
 * is none). Only hosts the user chose are reached: the target comes from whoever edits webhooks.
 */
export function routeOf(delivery: Pick<TunnelDeliveryFrame, 'targetUrl'>, options: RouteOptions): string | undefined {
  if (delivery.targetUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(delivery.targetUrl);
    } catch {
      url = undefined;
    }
    const allowed = (u: URL) =>
      isLoopback(u.hostname) ||
      options.allowHosts.some((h) => h.toLowerCase() === u.hostname || h.toLowerCase() === u.host);
    if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && allowed(url))
      return url.href;
  }
  return options.forward;
}

/** Forwards each delivery to its own route (see routeOf); 421 when it has none, which the dispatcher does not retry. */
export function routeDeliveries(options: RouteOptions): DeliveryHandler {
  return (delivery) => {
    const target = routeOf(delivery, options);
    if (target !== undefined) return forwardTo(target, options.timeoutMs)(delivery);
    const reason =
      delivery.targetUrl === undefined
        ? 'the delivery names no target and this listener has no --forward URL'
        : `this listener does not deliver to ${delivery.targetUrl}: allow its host with --allow-host, or give --forward`;
    return Promise.resolve({
      id: delivery.id,
      status: 421,
      headers: { 'content-type': 'text/plain', 'x-hookline-tunnel': 'listener' },
      body: reason,
    });
  };
}

/** `--print`: shows the payload instead of forwarding it, and accepts it. */
export function printTo(write: (text: string) => void): DeliveryHandler {
  return (delivery) => {
    write(`--- delivery ${delivery.id} for webhook ${delivery.webhookId}\n${prettyJson(delivery.body)}\n`);
    return Promise.resolve({ id: delivery.id, status: 200, body: 'printed by hookline listen --print' });
  };
}

function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    return body;
  }
}

function describe(err: unknown): string {
  // Read structurally: fetch's errors may come from another realm, where `instanceof Error` fails.
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
  if (typeof message !== 'string') return String(err);
  // fetch hides the socket error (ECONNREFUSED, ...) in `cause`.
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail ? `${message}: ${detail}` : message;
}
