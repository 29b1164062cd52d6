import { inCidr, parseCidr, parseIpAddress, type Cidr } from './ssrf';

/**
 * The organisation's outgoing proxy (Octane: "configure your organization's proxy so that outgoing
 * requests are not blocked"). The SSRF guard still checks each target before its request goes to
 * the proxy; the proxy itself is the operator's choice and may live in a private range.
 */
export interface ProxySettings {
  /** For `http:` targets. */
  http: URL | null;
  /** For `https:` targets. */
  https: URL | null;
  /** Targets that never go through the proxy. */
  noProxy: readonly NoProxyRule[];
}

export type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; domain: string; port: number | null }
  | { kind: 'address'; cidr: Cidr; port: number | null };

/** The variables read, as in the environment: WEBHOOK_PROXY_URL wins over the usual ones. */
export interface ProxyEnv {
  WEBHOOK_PROXY_URL?: string;
  HTTPS_PROXY?: string;
  HTTP_PROXY?: string;
  NO_PROXY?: string;
}

/** A proxy URL: `http://` or `https://`, a host, optional port and user info, nothing after the `/`. */
export function parseProxyUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('a proxy URL must be http: or https:');
  if (url.hostname === '') throw new Error('a proxy URL needs a host');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    throw new Error('a proxy URL has no path, query or fragment');
  return url;
}

function parsePort(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65_535) throw new Error(`bad port "${text}"`);
  return Number(text);
}

/** One NO_PROXY entry: `*`, a domain (`example.com`, `.example.com`, `*.example.com`), an IP or a CIDR, with an optional `:port`. */
function parseNoProxyEntry(entry: string): NoProxyRule {
  if (entry === '*') return { kind: 'all' };
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) return { kind: 'address', cidr: parseCidr(bracketed[1]), port: parsePort(bracketed[2]) };
  // An IPv6 address or range without brackets cannot carry a port.
  if (entry.split(':').length > 2) return { kind: 'address', cidr: parseCidr(entry), port: null };
  const [host, port] = entry.split(':');
  if (host.includes('/') || parseIpAddress(host)?.family === 4) {
    return { kind: 'address', cidr: parseCidr(host), port: parsePort(port) };
  }
  const domain = host.replace(/^\*?\./, '').toLowerCase();
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(domain))
    throw new Error(`"${entry}" is not a host name, address or range`);
  return { kind: 'domain', domain: domain.replace(/\.$/, ''), port: parsePort(port) };
}

/** NO_PROXY as curl and most tools read it: entries separated by commas or spaces. */
export function parseNoProxy(text: string): NoProxyRule[] {
  return text
    .split(/[\s,]+/)
    .filter((e) => e !== '')
    .map((entry) => {
      try {
        return parseNoProxyEntry(entry);
      } catch (err) {
        throw new Error(`NO_PROXY entry ${(err as Error).message}`, { cause: err });
      }
    });
}

/** Validated proxy settings; throws naming the variable that is wrong. */
export function proxySettingsFrom(env: ProxyEnv): ProxySettings {
  const read = (name: keyof ProxyEnv): URL | null => {
    const value = env[name]?.trim();
    if (!value) return null;
    try {
      return parseProxyUrl(value);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
    }
  };
  const only = read('WEBHOOK_PROXY_URL');
  return {
    http: only ?? read('HTTP_PROXY'),
    https: only ?? read('HTTPS_PROXY'),
    noProxy: parseNoProxy(env.NO_PROXY ?? ''),
  };
}

function matches(rule: NoProxyRule, hostname: string, port: number, addresses: readonly Uint8Array[]): boolean {
  if (rule.kind !== 'all' && rule.port !== null && rule.port !== port) return false;
  switch (rule.kind) {
    case 'all':
      return true;
    case 'domain':
      return hostname === rule.domain || hostname.endsWith(`.${rule.domain}`);
    case 'address':
      return addresses.some((bytes) => inCidr(bytes, rule.cidr));
  }
}

/**
 * The proxy a request to `url` goes through, or null to connect directly. NO_PROXY is matched
 * against the URL's host and port, and against the address the guard pinned, so a range such as
 * `10.0.0.0/8` keeps internal receivers direct whatever their names.
 */
export function proxyFor(settings: ProxySettings, url: URL, pinnedAddress?: string): URL | null {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return null;
  const hostname = url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const addresses = [hostname, pinnedAddress].flatMap((a) => {
    const ip = a === undefined ? null : parseIpAddress(a);
    return ip ? [ip.bytes] : [];
  });
  return settings.noProxy.some((rule) => matches(rule, hostname, port, addresses)) ? null : proxy;
}
