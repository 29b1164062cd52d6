import type { ListenerFrame, TunnelDeliveryReply, TunnelDeliveryRequest } from '@hookline/contracts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringMap = (value: unknown): value is Record<string, string> =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A listener's message, or undefined when it is not one of the frames the protocol allows. */
export function parseListenerFrame(text: string): ListenerFrame | undefined {
  const frame = parseJson(text);
  if (!isRecord(frame)) return undefined;
  if (frame.type === 'auth') return typeof frame.key === 'string' ? { type: 'auth', key: frame.key } : undefined;
  if (frame.type !== 'reply') return undefined;
  const { id, status, headers, body } = frame;
  if (typeof id !== 'string' || !Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
    return undefined;
  if (headers !== undefined && !isStringMap(headers)) return undefined;
  if (body !== undefined && typeof body !== 'string') return undefined;
  return {
    type: 'reply',
    id,
    status: status as number,
    ...(headers !== undefined && { headers }),
    ...(body !== undefined && { body }),
  };
}

/** The dispatcher's NATS request, or undefined when it does not match the contract. */
export function parseDeliveryRequest(text: string): TunnelDeliveryRequest | undefined {
  const request = parseJson(text);
  if (!isRecord(request)) return undefined;
  const { id, webhookId, targetUrl, headers, body } = request;
  if (typeof id !== 'string' || typeof webhookId !== 'string' || !isStringMap(headers) || typeof body !== 'string')
    return undefined;
  if (targetUrl !== undefined && typeof targetUrl !== 'string') return undefined;
  return { id, webhookId, ...(targetUrl !== undefined && { targetUrl }), headers, body };
}

/**
 * An answer the gateway gives itself: 502/503/504 when the listener could not answer (retryable for
 * the dispatcher), 400 when the request itself broke the contract.
 */
export function gatewayReply(id: string, status: 502 | 503 | 504 | 400, reason: string): TunnelDeliveryReply {
  return {
    id,
    status,
    headers: {
      'content-type': 'text/plain',
      'x-hookline-tunnel': 'gateway',
      ...(status === 503 && { 'retry-after': '1' }),
    },
    body: reason,
  };
}
