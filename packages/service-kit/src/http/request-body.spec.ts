import type { IncomingMessage } from 'node:http';
import { HttpException } from '@nestjs/common';
import { ErrorCode, HooklineError } from '../errors/hookline-error';
import { bodyParserError, contentTypeProblem, isJsonMediaType, jsonBodyProblem, verifyUtf8 } from './request-body';

const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('request bodies', () => {
  it('takes application/json and +json types, refusing others and charsets other than UTF-8', () => {
    expect(isJsonMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('Application/Merge-Patch+JSON')).toBe(true);
    expect(isJsonMediaType('text/plain')).toBe(false);
    expect(isJsonMediaType('application/x-www-form-urlencoded')).toBe(false);

    const withBody = (contentType?: string) =>
      contentTypeProblem(request({ 'content-length': '2', ...(contentType && { 'content-type': contentType }) }));
    expect(withBody('application/json')).toBeUndefined();
    expect(withBody('application/json;charset="UTF-8"')).toBeUndefined();
    expect(withBody('text/plain')).toEqual({ field: 'Content-Type', reason: expect.stringMatching(/text\/plain/) });
    expect(withBody()).toEqual({ field: 'Content-Type', reason: expect.stringMatching(/missing/) });
    expect(withBody('application/json; charset=latin1')?.reason).toMatch(/utf-8/);
    // No body bytes: nothing to refuse, whatever the label.
    expect(contentTypeProblem(request({ 'content-type': 'text/plain', 'content-length': '0' }))).toBeUndefined();
    expect(contentTypeProblem(request({ 'content-type': 'text/plain' }))).toBeUndefined();
    expect(contentTypeProblem(request({ 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }))).toEqual(
      expect.objectContaining({ field: 'Content-Type' }),
    );
  });

  it('names the first path nested deeper than the limit, without recursing', () => {
    expect(jsonBodyProblem({ a: { b: [1] } }, 3)).toBeUndefined();
    expect(jsonBodyProblem({ a: { b: [[1]] } }, 3)).toEqual({
      field: 'a.b[0]',
      reason: 'nests deeper than the limit of 3 levels',
    });
    expect(jsonBodyProblem([[]], 1)).toEqual({ field: 'body[0]', reason: expect.stringMatching(/deeper/) });
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(jsonBodyProblem(deep, 32)?.field).toMatch(/^body(\[0\]){32}$/);
    expect(jsonBodyProblem({ scalars: 'x', n: 1, b: true, z: null }, 1)).toBeUndefined();
  });

  it('refuses lone surrogates in strings and member names, and NUL in member names', () => {
    expect(jsonBodyProblem(JSON.parse('{"Name":"a\\ud800b"}'), 32)).toEqual({
      field: 'Name',
      reason: expect.stringMatching(/lone UTF-16 surrogate/),
    });
    expect(jsonBodyProblem(JSON.parse('{"Headers":{"X-\\udc00":"v"}}'), 32)?.field).toBe('Headers.X-\ufffd');
    expect(jsonBodyProblem(JSON.parse('{"state":{"a\\u0000b":1}}'), 32)).toEqual({
      field: 'state.a\\u0000b',
      reason: 'is a member name with a NUL character',
    });
    expect(jsonBodyProblem(JSON.parse('{"a":[{"__proto__":{"admin":true}}]}'), 32)).toEqual({
      field: 'a[0].__proto__',
      reason: 'is a member name no API takes (__proto__)',
    });
    expect(jsonBodyProblem(JSON.parse('{"emoji":"\\ud83d\\ude00","nul":"a\\u0000"}'), 32)).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8 with a 400 naming the body', () => {
    const verify = verifyUtf8(true);
    const req = request({}) as IncomingMessage & { rawBody?: Buffer };
    expect(() => verify(req, undefined, Buffer.from('{"a":"\xff"}', 'latin1'))).toThrow(HooklineError);
    verify(req, undefined, Buffer.from('{"a":"é"}'));
    expect(req.rawBody?.toString()).toBe('{"a":"é"}');
  });

  it('turns body parser errors into answers naming the body or the header', () => {
    // Nest's Express adapter hands the filter the parser's error wrapped in an HttpException.
    const parserError = (type: string, status: number, extra: object = {}) =>
      new HttpException('boom', status, { cause: Object.assign(new Error('boom'), { type, status, ...extra }) });
    expect(bodyParserError(parserError('entity.too.large', 413, { limit: 1024 }))).toMatchObject({
      code: ErrorCode.PayloadTooLarge,
      details: [{ field: 'body', reason: 'is larger than the limit of 1024 bytes' }],
    });
    expect(bodyParserError(parserError('entity.parse.failed', 400))?.code).toBe(ErrorCode.Validation);
    expect(bodyParserError(parserError('encoding.unsupported', 415))?.details[0].field).toBe('Content-Encoding');
    const zlib = new HttpException('x', 400, {
      cause: Object.assign(new Error('incorrect header check'), { status: 400 }),
    });
    expect(bodyParserError(zlib)?.details).toEqual([{ field: 'body', reason: 'incorrect header check' }]);
    const utf8 = HooklineError.validation([{ field: 'body', reason: 'is not valid UTF-8' }]);
    expect(bodyParserError(new HttpException('x', 400, { cause: utf8 }))).toBe(utf8);
    expect(bodyParserError(new HttpException('x', 400, { cause: new URIError('bad') }))?.details).toEqual([
      { field: 'path', reason: 'is not valid percent-encoded UTF-8: bad' },
    ]);
    expect(bodyParserError(new TypeError('x'))).toBeUndefined();
    expect(bodyParserError(new HttpException('not found', 404))).toBeUndefined();
  });
});
