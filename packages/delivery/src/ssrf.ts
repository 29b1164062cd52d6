import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4, isIPv6, type LookupFunction } from 'node:net';

export type IpFamily = 4 | 6;

export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'metadata';

/** How an IPv6 address carries an IPv4 one that the packet will effectively reach. */
export type IPv4Embedding = 'ipv4-mapped' | 'ipv4-compatible' | 'ipv4-translated' | 'nat64' | '6to4';

export interface ParsedIp {
  family: IpFamily;
  bytes: Uint8Array;
  /** Dotted quad for IPv4 (whatever form came in); lower case, no brackets or zone for IPv6. */
  address: string;
}

export interface AddressClassification {
  address: string;
  family: IpFamily;
  category: AddressCategory;
  /** Anything but `public`; the allow-list may still let it through (see `isAddressAllowed`). */
  blocked: boolean;
  embeddedIPv4?: string;
  via?: IPv4Embedding;
}

export interface Cidr {
  family: IpFamily;
  bytes: Uint8Array;
  prefix: number;
  text: string;
}

// Accepts what inet_aton and the WHATWG host parser accept: 1-4 parts, each decimal, octal
// (leading 0) or hex (0x), the last part filling the remaining bytes, one trailing dot allowed.
const LOOSE_IPV4_PART = /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i;

function loosePartValue(part: string): number {
  if (/^0x/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (part.length > 1 && part.startsWith('0')) return parseInt(part, 8);
  return Number(part);
}

function parseLooseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length > 4 || !parts.every((p) => LOOSE_IPV4_PART.test(p))) return null;
  const values = parts.map(loosePartValue);
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 256 ** (4 - values.length)) return null;
  let value = last;
  for (let i = 0; i < values.length; i++) value += values[i] * 256 ** (3 - i);
  return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

function parseStrictIPv4(text: string): Uint8Array | null {
  return isIPv4(text) ? Uint8Array.from(text.split('.'), Number) : null;
}

function parseIPv6(text: string): Uint8Array | null {
  if (!isIPv6(text)) return null;
  const groups = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').flatMap((g) => {
          const v4 = g.includes('.') ? parseStrictIPv4(g) : null;
          return v4 ? [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]] : [parseInt(g, 16)];
        });
  const gap = text.indexOf('::');
  const head = groups(gap === -1 ? text : text.slice(0, gap));
  const tail = gap === -1 ? [] : groups(text.slice(gap + 2));
  const all = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 255;
  });
  return bytes;
}

const dotted = (b: Uint8Array): string => Array.from(b).join('.');

/**
 * Any IP literal a URL parser or resolver would accept: IPv4 in every inet_aton form
 * (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`), IPv6 with or without brackets or a zone.
 */
export function parseIpAddress(text: string): ParsedIp | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) {
    const plain = bare.split('%')[0].toLowerCase();
    const bytes = parseIPv6(plain);
    return bytes && { family: 6, bytes, address: plain };
  }
  const bytes = parseLooseIPv4(bare);
  return bytes && { family: 4, bytes, address: dotted(bytes) };
}

/** Whether the address bytes (as `parseIpAddress` gives them) lie in the range. */
export function inCidr(bytes: Uint8Array, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole] & mask) === (cidr.bytes[whole] & mask);
}

/** `10.0.0.0/8`, `fd12::/16`, or a bare address (a single host). Host bits are masked off. */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const [addressText, prefixText, extra] = trimmed.split('/');
  // Strict parsing here: a loose `10/8` would silently mean 0.0.0.10/8.
  const v6 = addressText.includes(':') ? parseIPv6(addressText.toLowerCase()) : null;
  const bytes = v6 ?? parseStrictIPv4(addressText);
  const bits = bytes ? bytes.length * 8 : 0;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (!bytes || extra !== undefined || prefix < 0 || prefix > bits) {
    throw new Error(`invalid CIDR "${trimmed}"`);
  }
  const masked = bytes.map((b, i) => {
    const keep = Math.min(8, Math.max(0, prefix - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { family: v6 ? 6 : 4, bytes: masked, prefix, text: trimmed };
}

/** Comma-separated CIDRs, as in `WEBHOOK_ALLOWED_CIDRS`; throws on the first invalid entry. */
export function parseCidrList(text: string): Cidr[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);
}

/** The operator allow-list from `WEBHOOK_ALLOWED_CIDRS` (empty when unset). */
export function allowedCidrsFromEnv(env: NodeJS.ProcessEnv = process.env): Cidr[] {
  return parseCidrList(env.WEBHOOK_ALLOWED_CIDRS ?? '');
}

const table = (rows: ReadonlyArray<readonly [string, AddressCategory]>) =>
  rows.map(([cidr, category]) => ({ cidr: parseCidr(cidr), category }));

// First match wins, so single addresses come before the ranges that contain them.
const IPV4_RANGES = table([
  ['169.254.169.254', 'metadata'], // AWS, GCP, Azure, OCI, DigitalOcean instance metadata
  ['169.254.170.2', 'metadata'], // AWS ECS task credentials
  ['100.100.100.200', 'metadata'], // Alibaba Cloud metadata
  ['168.63.129.16', 'metadata'], // Azure WireServer: a public address only reachable inside Azure
  ['0.0.0.0', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'reserved'], // documentation
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'reserved'], // documentation
  ['203.0.113.0/24', 'reserved'], // documentation
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
]);

const IPV6_SPECIAL = table([
  ['fd00:ec2::254', 'metadata'], // AWS instance metadata over IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
]);

// Checked after IPV6_SPECIAL so `::` and `::1` are not read as IPv4-compatible 0.0.0.0/0.0.0.1.
const IPV6_EMBEDDINGS: ReadonlyArray<{ cidr: Cidr; via: IPv4Embedding; offset: number }> = [
  { cidr: parseCidr('::ffff:0:0/96'), via: 'ipv4-mapped', offset: 12 },
  { cidr: parseCidr('::ffff:0:0:0/96'), via: 'ipv4-translated', offset: 12 },
  { cidr: parseCidr('::/96'), via: 'ipv4-compatible', offset: 12 },
  { cidr: parseCidr('64:ff9b::/96'), via: 'nat64', offset: 12 },
  { cidr: parseCidr('2002::/16'), via: '6to4', offset: 2 },
];

const IPV6_RANGES = table([
  ['100::/64', 'reserved'], // discard-only
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64: translator-specific, cannot be checked
  ['2001::/23', 'reserved'], // IETF protocol assignments: Teredo, ORCHID, benchmarking
  ['2001:db8::/32', 'reserved'], // documentation
  ['3fff::/20', 'reserved'], // documentation
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
]);

const GLOBAL_UNICAST_V6 = parseCidr('2000::/3');

function categoryOf(bytes: Uint8Array, rows: ReturnType<typeof table>): AddressCategory | null {
  return rows.find((r) => inCidr(bytes, r.cidr))?.category ?? null;
}

function classifyParsed(ip: ParsedIp): AddressClassification {
  const result = (category: AddressCategory, extra: Partial<AddressClassification> = {}) => ({
    address: ip.address,
    family: ip.family,
    category,
    blocked: category !== 'public',
    ...extra,
  });
  if (ip.family === 4) return result(categoryOf(ip.bytes, IPV4_RANGES) ?? 'public');

  const special = categoryOf(ip.bytes, IPV6_SPECIAL);
  if (special) return result(special);
  const embedding = IPV6_EMBEDDINGS.find((e) => inCidr(ip.bytes, e.cidr));
  if (embedding) {
    const v4 = ip.bytes.slice(embedding.offset, embedding.offset + 4);
    return result(categoryOf(v4, IPV4_RANGES) ?? 'public', {
      embeddedIPv4: dotted(v4),
      via: embedding.via,
    });
  }
  const category = categoryOf(ip.bytes, IPV6_RANGES);
  if (category) return result(category);
  // Only 2000::/3 is allocated for global unicast; everything else is unassigned.
  return result(inCidr(ip.bytes, GLOBAL_UNICAST_V6) ? 'public' : 'reserved');
}

/** Classifies an IP literal (any form `parseIpAddress` accepts); null if it is not an IP. */
export function classifyAddress(text: string): AddressClassification | null {
  const ip = parseIpAddress(text);
  return ip && classifyParsed(ip);
}

/**
 * Whether a connection to this address may go ahead. The allow-list overrides the block, and
 * matches an IPv6 address by its embedded IPv4 too. Cloud metadata stays blocked even inside an
 * allowed range: a broad `169.254.0.0/16` must not open the credentials endpoint.
 */
export function isAddressAllowed(classification: AddressClassification, allowedCidrs: readonly Cidr[] = []): boolean {
  if (!classification.blocked) return true;
  if (classification.category === 'metadata') return false;
  const candidates = [classification.address, classification.embeddedIPv4].flatMap((a) => {
    const ip = a === undefined ? null : parseIpAddress(a);
    return ip ? [ip.bytes] : [];
  });
  return candidates.some((bytes) => allowedCidrs.some((c) => inCidr(bytes, c)));
}

export interface ResolveOptions {
  /** Operator allow-list, see `allowedCidrsFromEnv`. */
  allowedCidrs?: readonly Cidr[];
  /** Replaces `dns.lookup(host, { all: true })`; must return every address of the name. */
  resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

export interface ResolvedTarget {
  url: URL;
  /** URL hostname without IPv6 brackets: the TLS SNI and Host name. */
  hostname: string;
  port: number;
  /** The one address the connection must go to. */
  address: string;
  family: IpFamily;
  addresses: readonly AddressClassification[];
}

export type TargetRefusalCode = 'invalid-url' | 'unsupported-scheme' | 'dns-failure' | 'blocked-address';

export type ResolveResult =
  | { ok: true; target: ResolvedTarget }
  | {
      ok: false;
      code: TargetRefusalCode;
      reason: string;
      /** A DNS failure may clear up; a blocked address or a bad URL will not. */
      retryable: boolean;
      addresses?: readonly AddressClassification[];
    };

const defaultResolve = (hostname: string): Promise<LookupAddress[]> =>
  dnsLookup(hostname, { all: true, order: 'verbatim' });

const refuse = (
  code: TargetRefusalCode,
  reason: string,
  retryable = false,
  addresses?: readonly AddressClassification[],
): ResolveResult => ({ ok: false, code, reason, retryable, ...(addresses && { addresses }) });

/**
 * Resolves the URL's host exactly once and pins the first address. Every address the name has
 * must pass: a name that answers with one public and one private address could otherwise reach
 * the private one on a later connection.
 */
export async function resolveTarget(url: string | URL, options: ResolveOptions = {}): Promise<ResolveResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('invalid-url', `"${String(url)}" is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return refuse('unsupported-scheme', `scheme ${parsed.protocol} is not supported`);
  }
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') return refuse('invalid-url', 'URL has no host');
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);

  const literal = parseIpAddress(hostname);
  let addresses: AddressClassification[];
  if (literal) {
    addresses = [classifyParsed(literal)];
  } else {
    let found: readonly LookupAddress[];
    try {
      found = await (options.resolve ?? defaultResolve)(hostname);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      return refuse('dns-failure', `cannot resolve ${hostname}: ${code}`, true);
    }
    const classified = found.map((a) => classifyAddress(a.address));
    if (classified.length === 0 || classified.some((c) => c === null)) {
      return refuse('dns-failure', `${hostname} resolved to no usable address`, true);
    }
    addresses = classified as AddressClassification[];
  }

  const denied = addresses.find((a) => !isAddressAllowed(a, options.allowedCidrs));
  if (denied) {
    const via = denied.embeddedIPv4 ? ` embedding ${denied.embeddedIPv4}` : '';
    return refuse(
      'blocked-address',
      `${hostname} resolves to ${denied.address}${via} (${denied.category}), which is not allowed`,
      false,
      addresses,
    );
  }
  const pinned = addresses[0];
  return {
    ok: true,
    target: {
      url: parsed,
      hostname,
      port,
      address: pinned.address,
      family: pinned.family,
      addresses,
    },
  };
}

/**
 * A `lookup` for `net.connect`/`tls.connect` (undici's `connect.lookup`) that answers only
 * `hostname`, and only with the pinned address, so a DNS answer that changes after
 * `resolveTarget` checked it (DNS rebinding) never reaches the socket.
 *
 * Node skips `lookup` entirely when the host is already an IP literal, so for a URL such as
 * `http://127.0.0.1/` this function never runs and nothing at connect time would stop it: literal
 * hosts must be classified before connecting (`resolveTarget` does) and must equal the pinned
 * address (`deliverOnce` checks).
 */
export function pinnedLookup(hostname: string, address: string): LookupFunction {
  const ip = parseIpAddress(address);
  if (!ip || ip.address !== address.toLowerCase()) {
    throw new TypeError(`pinned address "${address}" is not a canonical IP address`);
  }
  const expected = hostname.toLowerCase();
  return (requested, options, callback) => {
    if (requested.toLowerCase() !== expected) {
      const err: NodeJS.ErrnoException = new Error(
        `lookup of ${requested} refused: connection is pinned to ${hostname}`,
      );
      err.code = 'ENOTFOUND';
      callback(err, []);
    } else if (options.all) {
      callback(null, [{ address: ip.address, family: ip.family }]);
    } else {
      callback(null, ip.address, ip.family);
    }
  };
}
