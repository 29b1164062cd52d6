/**
 * Which URLs a webhook may target (ALM Octane seed): HTTPS always; plain HTTP only when the
 * operator turns on `WEBHOOK_ALLOW_HTTP`, and then only to the standard port 80 unless the
 * operator lists other ports (`WEBHOOK_HTTP_PORTS=80,8080`) or `any`.
 */
export interface HttpPolicy {
  allowHttp: boolean;
  /** Ports plain HTTP may use; replaces the default `[80]`. `'any'` lifts the restriction. */
  allowedHttpPorts?: readonly number[] | 'any';
}

export type HttpPolicyVerdict = { allowed: true } | { allowed: false; reason: string };

export const DEFAULT_HTTP_POLICY: HttpPolicy = { allowHttp: false, allowedHttpPorts: [80] };

export function checkHttpPolicy(url: string | URL, policy: HttpPolicy): HttpPolicyVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: `"${String(url)}" is not a valid URL` };
  }
  if (parsed.protocol === 'https:') return { allowed: true };
  if (parsed.protocol !== 'http:') {
    return { allowed: false, reason: `scheme ${parsed.protocol} is not allowed; use https` };
  }
  if (!policy.allowHttp) {
    return { allowed: false, reason: 'plain HTTP is disabled (WEBHOOK_ALLOW_HTTP); use https' };
  }
  const ports = policy.allowedHttpPorts ?? [80];
  // WHATWG URL leaves `port` empty for the scheme default.
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  if (ports !== 'any' && !ports.includes(port)) {
    return {
      allowed: false,
      reason: `plain HTTP may only use port(s) [${ports.join(', ')}], not ${port}; use https`,
    };
  }
  return { allowed: true };
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'off']);

/** Reads `WEBHOOK_ALLOW_HTTP` and `WEBHOOK_HTTP_PORTS`; throws on values it cannot read. */
export function httpPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): HttpPolicy {
  const flag = (env.WEBHOOK_ALLOW_HTTP ?? '').trim().toLowerCase();
  if (!TRUE_WORDS.has(flag) && !FALSE_WORDS.has(flag)) {
    throw new Error(`WEBHOOK_ALLOW_HTTP must be true or false, got "${env.WEBHOOK_ALLOW_HTTP}"`);
  }
  const allowHttp = TRUE_WORDS.has(flag);
  const portsText = (env.WEBHOOK_HTTP_PORTS ?? '').trim().toLowerCase();
  if (portsText === '') return { allowHttp, allowedHttpPorts: [80] };
  if (portsText === 'any') return { allowHttp, allowedHttpPorts: 'any' };
  const allowedHttpPorts = portsText.split(',').map((text) => {
    const port = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65535) {
      throw new Error(`WEBHOOK_HTTP_PORTS must be "any" or ports 1-65535, got "${text.trim()}"`);
    }
    return port;
  });
  return { allowHttp, allowedHttpPorts };
}
