import { ROUTES, serviceOf, type ServiceName } from './routes';

/** The parts of an OpenAPI 3.0 document the merge touches. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; description?: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  servers?: { url: string; description?: string }[];
  [key: string]: unknown;
}

export const MERGED_INFO = {
  title: 'Hookline API',
  description:
    'The whole Hookline API behind one origin: the Rally and BMC webhook APIs, API keys, changes, ' +
    'matching dry-runs, delivery status and breakers, the URL blocklist, pipelines and incoming hooks, ' +
    'and tunnel sessions. Errors always have the body `{error, message, details}`.',
  version: '2.0.0',
};

/**
 * One document from the services' own: each path comes from the service the front door routes it
 * to, so the document describes what a client reaching the one origin gets. Schemas with the same
 * name must be identical; a clash is an error rather than a silent overwrite.
 */
export function mergeDocuments(documents: Partial<Record<ServiceName, OpenApiDocument>>): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.0.0',
    info: MERGED_INFO,
    paths: {},
    components: { schemas: {}, securitySchemes: {} },
    tags: [],
  };
  const routed = new Set(ROUTES.map((route) => route.service));
  for (const service of [...routed].sort()) {
    const document = documents[service];
    if (!document) throw new Error(`no OpenAPI document from ${service}`);
    for (const [path, item] of Object.entries(document.paths)) {
      const owner = serviceOf(path.replace(/\{[^}]+\}/g, 'x'));
      if (owner === undefined) throw new Error(`${service} serves ${path}, which the front door routes nowhere`);
      if (owner !== service) continue;
      merged.paths[path] = item;
    }
    for (const kind of ['schemas', 'securitySchemes'] as const) {
      for (const [name, value] of Object.entries(document.components?.[kind] ?? {})) {
        const existing = merged.components![kind]![name];
        if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value)) {
          throw new Error(`${kind} ${name} differs between services; give one of them another name`);
        }
        merged.components![kind]![name] = value;
      }
    }
  }
  merged.paths = Object.fromEntries(Object.entries(merged.paths).sort(([a], [b]) => a.localeCompare(b)));
  const tags = new Set<string>();
  for (const item of Object.values(merged.paths)) {
    for (const operation of Object.values(item) as { tags?: string[] }[]) operation.tags?.forEach((t) => tags.add(t));
  }
  merged.tags = [...tags].sort().map((name) => ({ name }));
  for (const kind of ['schemas', 'securitySchemes'] as const) {
    merged.components![kind] = Object.fromEntries(
      Object.entries(merged.components![kind]!).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return merged;
}
