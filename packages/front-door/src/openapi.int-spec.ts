import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { formatDocument, generateDocument, OPENAPI_FILE, serviceRoutes } from './generate';
import type { OpenApiDocument } from './openapi';
import { serviceOf } from './routes';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

function operations(document: OpenApiDocument): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation as Operation] as [string, Operation]),
  );
}

/** Needs the services built: it asks each one for its document as the front door's build does. */
describe('the merged OpenAPI document (packages/front-door/src/openapi.json)', () => {
  const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;

  it('is what the services describe today, so a route or DTO change must regenerate it', async () => {
    // On failure: pnpm turbo run build && pnpm --filter @hookline/front-door generate
    expect(formatDocument(await generateDocument())).toBe(formatDocument(committed));
  }, 60_000);

  it('has every route the services register, apart from health and metrics', async () => {
    const documented = new Set(operations(committed).map(([name]) => name));
    const missing: string[] = [];
    const shadowed: string[] = [];
    for (const [service, routes] of Object.entries(await serviceRoutes())) {
      for (const route of routes) {
        const path = route.slice(route.indexOf(' ') + 1);
        if (/^\/(health|metrics)(\/|$)/.test(path)) continue;
        if (serviceOf(path.replace(/\{[^}]+\}/g, 'x')) !== service) shadowed.push(`${service}: ${route}`);
        else if (!documented.has(route)) missing.push(`${service}: ${route}`);
      }
    }
    expect(missing).toEqual([]);
    // Every path is served by the one service the front door routes it to.
    expect(shadowed).toEqual([]);
  }, 60_000);

  it('is a valid OpenAPI 3 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(committed) as never)).resolves.toBeDefined();
  });

  it('gives every operation a summary, tags and, unless public, the auth schemes', () => {
    const missing = operations(committed).flatMap(([name, op]) => [
      ...(op.summary ? [] : [`${name}: summary`]),
      ...(op.tags?.length ? [] : [`${name}: tags`]),
    ]);
    expect(missing).toEqual([]);
    expect(Object.keys(committed.components?.securitySchemes ?? {}).sort()).toEqual(['ZSESSIONID', 'bearer']);
  });

  it('gives every response a schema, errors the {error, message, details} body', () => {
    const missing = operations(committed).flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status]) => status !== '204')
        .filter(([, response]) => !Object.values(response.content ?? {}).some((media) => media.schema))
        .map(([status]) => `${name} ${status}`),
    );
    expect(missing).toEqual([]);
    const errorBody = committed.components?.schemas?.ErrorResponseDto as { required?: string[] } | undefined;
    expect(errorBody?.required?.sort()).toEqual(['details', 'error', 'message']);
  });
});
