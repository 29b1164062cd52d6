import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, HooklineError, type FieldProblem } from '../errors/hookline-error';

/**
 * What every service takes as a request body: JSON in UTF-8, at most HTTP_BODY_LIMIT bytes and
 * HTTP_BODY_MAX_DEPTH levels deep, every string and member name valid Unicode. Anything else is
 * answered 400, 413 or 415 with `{ error, message, details: [{ field, reason }] }` before a
 * controller sees it, so no shape of body can reach a 500.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** A key segment longer than this is cut in the field path of a problem (the path is for humans). */
const MAX_PATH_SEGMENT = 64;

/** `application/json` or a `+json` type (RFC 6839), parameters aside. */
export function isJsonMediaType(contentType: string): boolean {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return essence === 'application/json' || /^application\/[!#$%&'*.^_`|~0-9a-z-]+\+json$/.test(essence);
}

/** The charset parameter of a Content-Type, lower case, or undefined when it has none. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1].toLowerCase();
}

/** Whether the request carries body bytes (a zero Content-Length does not). */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Why a request body's Content-Type is not one the API takes, or undefined when it is. */
export function contentTypeProblem(req: IncomingMessage): FieldProblem | undefined {
  if (!hasBody(req)) return undefined;
  const contentType = req.headers['content-type'];
  if (contentType === undefined || contentType.trim() === '')
    return { field: 'Content-Type', reason: 'is missing; the body must be sent as application/json' };
  if (!isJsonMediaType(contentType))
    return { field: 'Content-Type', reason: `must be application/json, not ${contentType.slice(0, 100)}` };
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    return { field: 'Content-Type', reason: `charset must be utf-8, not ${charset.slice(0, 40)}` };
  return undefined;
}

/**
 * Refuses a body in a media type the API does not take (415) instead of letting the JSON parser
 * skip it and the handler run on an empty body. A body an earlier parser already read (the
 * incoming-hooks public URLs keep their raw bytes for the HMAC check) is left alone.
 */
export function requireJsonContentType(req: Request, _res: Response, next: NextFunction): void {
  if (Buffer.isBuffer(req.body) || req.readableEnded) return next();
  const problem = contentTypeProblem(req);
  if (!problem) return next();
  next(
    new HooklineError(ErrorCode.UnsupportedMediaType, 'The request body must be JSON (application/json)', [problem]),
  );
}

/**
 * The JSON parser's `verify` hook: the bytes must be UTF-8, since the parser would otherwise
 * replace bad sequences with U+FFFD and store text the client never sent.
 */
export function verifyUtf8(keepRawBody: boolean) {
  return (req: IncomingMessage, _res: unknown, buffer: Buffer): void => {
    if (!isUtf8(buffer)) {
      throw Object.assign(
        HooklineError.validation(
          [{ field: 'body', reason: 'is not valid UTF-8' }],
          'The request body is not valid UTF-8 JSON',
        ),
        { status: 400 },
      );
    }
    if (keepRawBody) (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
  };
}

function segment(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path || 'body'}[${key}]`;
  const name = key.replace(LONE_SURROGATES, '\ufffd').replace(/\0/g, '\\u0000');
  const shown = name.length > MAX_PATH_SEGMENT ? `${name.slice(0, MAX_PATH_SEGMENT)}…` : name;
  return path ? `${path}.${shown}` : shown;
}

/**
 * The first problem in a parsed JSON body: nesting deeper than `maxDepth` (the top-level value is
 * level 1), a string or member name that is not valid Unicode (a lone surrogate from a `\ud800`
 * escape), a member name with a NUL character (MongoDB cannot store it) or `__proto__`. The walk
 * keeps its own stack: a recursive one would overflow on the very bodies it is meant to refuse.
 */
export function jsonBodyProblem(body: unknown, maxDepth: number): FieldProblem | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        return { field: path || 'body', reason: 'contains a lone UTF-16 surrogate, which is not valid Unicode' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return { field: path || 'body', reason: `nests deeper than the limit of ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: segment(path, i), depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const at = segment(path, key);
      if (LONE_SURROGATE.test(key))
        return { field: at, reason: 'is a member name with a lone UTF-16 surrogate, which is not valid Unicode' };
      if (key.includes('\0')) return { field: at, reason: 'is a member name with a NUL character' };
      // JSON.parse keeps it as a plain key, but any copy into an object would set the prototype instead.
      if (key === '__proto__') return { field: at, reason: 'is a member name no API takes (__proto__)' };
      stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Runs `jsonBodyProblem` over what the JSON parser produced. */
export function checkJsonBody(maxDepth: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (Buffer.isBuffer(req.body) || req.body === undefined) return next();
    const problem = jsonBodyProblem(req.body, maxDepth);
    next(problem ? HooklineError.validation([problem], 'The request body is not acceptable JSON') : undefined);
  };
}

/**
 * An error raised while the request was read, as the answer a client can act on: the body
 * parser's own (their `type` says which), verifyUtf8's or a path that does not decode, unwrapped
 * from the HttpException Nest's Express adapter puts around them. Undefined for any other error.
 */
export function bodyParserError(thrown: unknown): HooklineError | undefined {
  if (!(thrown instanceof HttpException) || !(thrown.cause instanceof Error)) return undefined;
  const err = thrown.cause;
  if (err instanceof HooklineError) return err;
  // Express could not decode a path parameter (`%E0%A4%A`): the other request part a client writes.
  if (err instanceof URIError)
    return HooklineError.validation([{ field: 'path', reason: `is not valid percent-encoded UTF-8: ${err.message}` }]);
  const { type, status, limit } = err as Error & { type?: unknown; status?: unknown; limit?: unknown };
  // http-errors carry a status; a failed decompression has no type of its own.
  if (typeof status !== 'number') return undefined;
  const problem = (code: ErrorCode, field: string, reason: string, message: string): HooklineError =>
    new HooklineError(code, message, [{ field, reason }]);
  switch (type) {
    case 'entity.too.large':
      return problem(
        ErrorCode.PayloadTooLarge,
        'body',
        `is larger than the limit of ${typeof limit === 'number' ? `${limit} bytes` : 'this API'}`,
        'Request body is larger than the limit',
      );
    case 'entity.parse.failed':
      return problem(
        ErrorCode.Validation,
        'body',
        `is not valid JSON: ${err.message}`,
        'Request body is not valid JSON',
      );
    case 'encoding.unsupported':
      return problem(
        ErrorCode.UnsupportedMediaType,
        'Content-Encoding',
        'must be identity, gzip, deflate or br',
        'Request body encoding is not supported',
      );
    case 'charset.unsupported':
      return problem(ErrorCode.UnsupportedMediaType, 'Content-Type', 'charset must be utf-8', 'Charset not supported');
    case 'request.size.invalid':
    case 'request.aborted':
      return problem(
        ErrorCode.Validation,
        'body',
        'ended before the length its Content-Length announced',
        'Request body is incomplete',
      );
    default:
      return status >= 400 && status < 500
        ? problem(ErrorCode.Validation, 'body', err.message, 'Request body could not be read')
        : undefined;
  }
}
