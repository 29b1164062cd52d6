import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { constants as zlib, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { errors, request } from 'undici';
import type { DispatcherPool } from './dispatcher-pool';
import { classifyFailure, classifyStatus, type AttemptOutcome } from './retry';
import { parseIpAddress, type ParsedIp } from './ssrf';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const USER_AGENT = `Hookline/${version}`;

/** Enough to show a receiver's error message in the delivery log. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4096;

// Hop-by-hop and framing headers belong to the HTTP client; Host must stay the URL's hostname.
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);

export interface DeliverOnceInput {
  url: string | URL;
  /** The address `resolveTarget` checked and pinned. */
  pinnedAddress: string;
  /** Signature, auth and callback headers. content-type and user-agent are always Hookline's. */
  headers?: Readonly<Record<string, string>>;
  body: string | Uint8Array;
  /** Deadline for the whole attempt: connect, request, response headers and body. */
  timeoutMs: number;
  /** Response bytes kept (after content decoding); the rest is dropped unread. */
  maxResponseBytes?: number;
  dispatcherPool: DispatcherPool;
}

export interface AttemptResult extends AttemptOutcome {
  /** Present whenever response headers arrived, even if the attempt then failed. */
  status?: number;
  latencyMs: number;
  responseExcerpt: string;
  /** The receiver's Retry-After header, for `nextDelayMs`. */
  retryAfter?: string;
  /** The receiver's response headers (repeated ones joined by ", "), for the delivery log. */
  responseHeaders?: Record<string, string>;
  /** Why a timeout or connection failure happened, for the delivery log. */
  error?: string;
}

function failureKind(err: unknown): 'timeout' | 'connection' | 'invalid-http' {
  if (
    err instanceof errors.ConnectTimeoutError ||
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    (err as NodeJS.ErrnoException | null)?.code === 'ETIMEDOUT'
  ) {
    return 'timeout';
  }
  if (
    err instanceof errors.HTTPParserError ||
    err instanceof errors.HeadersOverflowError ||
    err instanceof errors.ResponseContentLengthMismatchError
  ) {
    return 'invalid-http';
  }
  return 'connection';
}

/** Collects up to `limit` bytes and says when more than that has arrived. */
class ByteCap {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** True once the input exceeds the limit, i.e. there is more than will be kept. */
  add(chunk: Buffer): boolean {
    const room = this.limit - this.size;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    return chunk.length > room;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

// Sync flush lets a body cut at the cap decode as far as it goes instead of failing.
const DECODERS = new Map<string, () => Transform>([
  ['gzip', () => createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH })],
  ['x-gzip', () => createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH })],
  ['deflate', () => createInflate({ finishFlush: zlib.Z_SYNC_FLUSH })],
  ['br', () => createBrotliDecompress({ finishFlush: zlib.BROTLI_OPERATION_FLUSH })],
]);

/** A decoder for a Content-Encoding we can read; others are shown as they came. */
const decoderFor = (encoding: string | undefined): (() => Transform) | undefined =>
  DECODERS.get(encoding?.trim().toLowerCase() ?? '');

/** Reads until the body ends or exceeds the cap; leaving the loop early destroys the body. */
async function readCapped(body: Readable, cap: ByteCap): Promise<void> {
  for await (const chunk of body) {
    if (cap.add(chunk as Buffer)) break;
  }
}

/**
 * The cap applies to decoded bytes. Decoding reads from the already-capped raw bytes, and the
 * iterator pulls on demand, so a compression bomb inflates no further than `maxBytes`.
 */
async function excerptOf(raw: Buffer, encoding: string | undefined, maxBytes: number) {
  const createDecoder = decoderFor(encoding);
  if (!createDecoder) return raw.subarray(0, maxBytes).toString('utf8');
  const decoder = createDecoder();
  const decoded = new ByteCap(maxBytes);
  decoder.end(raw);
  try {
    for await (const chunk of decoder) {
      if (decoded.add(chunk as Buffer)) break;
    }
  } catch {
    // A body that does not decode only shortens the excerpt; the status already decided.
  }
  return decoded.bytes().toString('utf8');
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // AggregateError (every address of a dual-stack connect failed) has an empty message.
  return err.message || String((err as NodeJS.ErrnoException).code ?? err.name);
}

/** Addresses and hosts parsed lately: every delivery to the same receiver parses the same two strings. */
const recentlyParsed = new Map<string, ParsedIp | null>();
const MAX_RECENTLY_PARSED = 1_024;

function parsedIp(text: string): ParsedIp | null {
  let parsed = recentlyParsed.get(text);
  if (parsed === undefined) {
    if (recentlyParsed.size >= MAX_RECENTLY_PARSED) recentlyParsed.clear();
    parsed = parseIpAddress(text);
    recentlyParsed.set(text, parsed);
  }
  return parsed;
}

const firstHeader = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/**
 * The request headers of a delivery, over HTTP or through a tunnel: the given ones lower-cased,
 * then Hookline's content-type and user-agent. Throws a TypeError for a hop-by-hop or framing header.
 */
export function requestHeaders(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw new TypeError(`header "${name}" cannot be set`);
    headers[lower] = value;
  }
  headers['content-type'] = 'application/json';
  headers['user-agent'] = USER_AGENT;
  return headers;
}

/**
 * One POST of a webhook to its pinned address. Never follows a redirect: undici only follows
 * them through its redirect interceptor, which the pool does not use (the equivalent of
 * maxRedirections 0), so a 3xx is reported as a failure. Throws only for caller mistakes; what
 * the receiver or network does comes back as the result.
 */
export async function deliverOnce(input: DeliverOnceInput): Promise<AttemptResult> {
  if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) {
    throw new RangeError('timeoutMs must be a positive number of milliseconds');
  }
  const url = new URL(input.url);
  const pinned = parsedIp(input.pinnedAddress);
  if (!pinned) throw new TypeError(`pinned address "${input.pinnedAddress}" is not an IP`);
  // Node connects to a literal host without calling the pinned lookup, so it must be the pin.
  const literal = parsedIp(url.hostname);
  if (literal && Buffer.compare(literal.bytes, pinned.bytes) !== 0) {
    throw new TypeError(`URL host ${url.hostname} differs from pinned ${input.pinnedAddress}`);
  }
  const headers = requestHeaders(input.headers);
  const maxBytes = input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const dispatcher = input.dispatcherPool.get(url, pinned.address);

  // undici's headersTimeout and bodyTimeout are per phase and bodyTimeout restarts on every
  // chunk, so a receiver trickling a byte a second would never hit them; one timer covers all.
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error(`deadline of ${input.timeoutMs} ms exceeded`)),
    input.timeoutMs,
  );
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let status: number | undefined;
  let retryAfter: string | undefined;
  let encoding: string | undefined;
  let responseHeaders: Record<string, string> | undefined;
  let raw = new ByteCap(0);
  try {
    const response = await request(url, {
      dispatcher,
      method: 'POST',
      headers,
      body: input.body,
      signal: deadline.signal,
    });
    status = response.statusCode;
    retryAfter = firstHeader(response.headers['retry-after']);
    encoding = firstHeader(response.headers['content-encoding']);
    responseHeaders = flatHeaders(response.headers);
    // Compressed bytes are usually fewer than decoded ones; twice the cap leaves room for that.
    raw = new ByteCap(decoderFor(encoding) ? 2 * maxBytes : maxBytes);
    await readCapped(response.body, raw);
    return {
      ...classifyStatus(status),
      status,
      latencyMs: elapsed(),
      responseExcerpt: await excerptOf(raw.bytes(), encoding, maxBytes),
      ...(retryAfter !== undefined && { retryAfter }),
      responseHeaders,
    };
  } catch (err) {
    // A malformed header value or body is the caller's bug, not the receiver's behaviour.
    if (err instanceof errors.InvalidArgumentError) throw err;
    const latencyMs = elapsed();
    const kind = deadline.signal.aborted ? 'timeout' : failureKind(err);
    return {
      ...classifyFailure(kind),
      ...(status !== undefined && { status }),
      latencyMs,
      responseExcerpt: await excerptOf(raw.bytes(), encoding, maxBytes),
      ...(retryAfter !== undefined && { retryAfter }),
      ...(responseHeaders !== undefined && { responseHeaders }),
      error: errorMessage(deadline.signal.aborted ? deadline.signal.reason : err),
    };
  } finally {
    clearTimeout(timer);
  }
}
