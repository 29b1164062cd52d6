import { readFileSync } from 'node:fs';
import { OPENAPI_FILE } from './generate';
import type { OpenApiDocument } from './openapi';
import { jsonSchemaOf, ResponseChecker } from './response-check';

const checker = new ResponseChecker(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument);
const JSON_TYPE = 'application/json; charset=utf-8';

describe('checking answers against the OpenAPI document', () => {
  const key = {
    KeyID: 'k1',
    Name: 'ci',
    Hint: 'hk_ab…',
    Roles: ['admin'],
    SharedSpaces: [],
    SubscriptionID: 7,
    CreationDate: '2026-01-01T00:00:00.000Z',
    CreatedBy: null,
    Revoked: false,
  };

  it('accepts an answer the document describes', () => {
    expect(checker.problems('GET', '/api/v2/apikey', 200, JSON_TYPE, { Results: [key], TotalResultCount: 1 })).toEqual(
      [],
    );
  });

  it('names a missing field, a wrong type and a value outside the enum', () => {
    const { Hint: _hint, ...withoutHint } = key;
    const problems = checker.problems('GET', '/api/v2/apikey', 200, JSON_TYPE, {
      Results: [{ ...withoutHint, SubscriptionID: '7', Roles: ['owner'] }],
      TotalResultCount: 1,
    });
    expect(problems.join('\n')).toMatch(/must have required property 'Hint'/);
    expect(problems.join('\n')).toMatch(/\/Results\/0\/SubscriptionID must be integer/);
    expect(problems.join('\n')).toMatch(/\/Results\/0\/Roles\/0 must be equal to one of the allowed values/);
  });

  it('reports a route or a status the document does not have', () => {
    expect(checker.problems('PUT', '/api/v2/apikey', 200, JSON_TYPE, {})).toEqual([
      'PUT /api/v2/apikey -> 200: the document has no such operation',
    ]);
    expect(checker.problems('GET', '/api/v2/apikey', 201, JSON_TYPE, { Results: [], TotalResultCount: 0 })).not.toEqual(
      [],
    );
  });

  it('holds errors to the {error, message, details} body', () => {
    const error = { error: 'NOT_FOUND', message: 'Webhook not found', details: [] };
    expect(checker.problems('GET', '/api/v2/webhook/abc', 404, JSON_TYPE, error)).toEqual([]);
    expect(checker.problems('GET', '/api/v2/webhook/abc', 404, JSON_TYPE, { message: 'nope' })).not.toEqual([]);
  });

  it('reads nullable as "or null", also beside a reference', () => {
    expect(jsonSchemaOf({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(jsonSchemaOf({ nullable: true, allOf: [{ $ref: '#/x' }] })).toEqual({
      anyOf: [{ allOf: [{ $ref: '#/x' }] }, { type: 'null' }],
    });
  });
});
