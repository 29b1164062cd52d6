import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from './openapi';
import { serviceOf } from './routes';

interface Operation {
  template: string;
  pattern: RegExp;
  params: number;
  method: string;
}

const DOCUMENT_ID = 'hookline-openapi';

/**
 * OpenAPI 3.0's `nullable` as JSON Schema, the reading generated clients give it: `type: [t, 'null']`,
 * and for a `$ref`/`allOf`/`oneOf` (where `nullable` beside it would not apply) "that or null".
 */
export function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, jsonSchemaOf(value)]));
  if (nullable !== true) return converted;
  if (typeof converted.type === 'string' && !converted.allOf && !converted.oneOf && !converted.anyOf) {
    return {
      ...converted,
      type: [converted.type, 'null'],
      ...(Array.isArray(converted.enum) && { enum: [...(converted.enum as unknown[]), null] }),
    };
  }
  const { description, ...shape } = converted;
  return { ...(description !== undefined && { description }), anyOf: [shape, { type: 'null' }] };
}

/** `~` and `/` escaped for a JSON pointer segment. */
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Checks real answers against the OpenAPI document: the route must be in it, the status among its
 * responses (or under `default`), and a JSON body must match the response's schema. The end-to-end
 * tests run every answer through it, so a route or DTO that changes without the document fails them.
 */
export class ResponseChecker {
  private readonly ajv: Ajv;
  private readonly operations: Operation[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    // `example` and the other OpenAPI annotations are not JSON Schema keywords: let them pass.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('password', true);
    this.ajv.addSchema(
      { components: jsonSchemaOf(document.components), paths: jsonSchemaOf(document.paths) },
      DOCUMENT_ID,
    );
    this.operations = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => ({
        template,
        method,
        params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      })),
    );
  }

  /**
   * What is wrong with one answer, or an empty list when the document describes it. Paths the front
   * door answers itself (the document, the reference, the console, unknown paths) are not operations.
   */
  problems(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = new URL(url, 'http://front-door').pathname;
    if (!serviceOf(path)) return [];
    const operation = this.operations
      .filter((op) => op.method === method.toLowerCase() && op.pattern.test(path))
      .sort((a, b) => a.params - b.params)[0];
    const name = `${method.toUpperCase()} ${path} -> ${status}`;
    if (!operation) return [`${name}: the document has no such operation`];
    const responses = (
      this.document.paths[operation.template]![operation.method] as { responses: Record<string, unknown> }
    ).responses;
    const key = String(status) in responses ? String(status) : 'default';
    const response = responses[key] as { content?: Record<string, unknown> } | undefined;
    if (!response) return [`${name}: status ${status} is not documented for ${operation.template}`];
    if (body === undefined || body === '') {
      return response.content?.['application/json'] ? [`${name}: documented with a body, answered none`] : [];
    }
    if (!contentType?.includes('application/json')) return [];
    if (!response.content?.['application/json'])
      return [`${name}: answered a JSON body the document does not describe`];
    const ref = `${DOCUMENT_ID}#/paths/${pointer(operation.template)}/${operation.method}/responses/${key}/content/${pointer('application/json')}/schema`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }
}
