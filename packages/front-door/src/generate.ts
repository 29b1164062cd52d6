import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { mergeDocuments, type OpenApiDocument } from './openapi';
import { ROUTES, type ServiceName } from './routes';

const run = promisify(execFile);
export const REPO_ROOT = resolve(__dirname, '../../..');
/** The merged document, committed so that a change to it shows in review. */
export const OPENAPI_FILE = join(REPO_ROOT, 'packages', 'front-door', 'src', 'openapi.json');
/** The compose stack's proxy configuration, committed because the proxy image has no Node to make it. */
export const COMPOSE_CADDY_FILE = join(REPO_ROOT, 'infra', 'front-door', 'caddy.json');

const SERVICES = [...new Set(ROUTES.map((route) => route.service))];

/** What a built service prints with `main.js --openapi` or `--routes`. */
async function ask<T>(service: ServiceName, flag: '--openapi' | '--routes'): Promise<T> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'apps', service, 'dist', 'main.js'), flag], {
    cwd: join(REPO_ROOT, 'apps', service),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

/** Asks each built service for its document and merges them. */
export async function generateDocument(): Promise<OpenApiDocument> {
  const documents = await Promise.all(
    SERVICES.map(async (service) => [service, await ask(service, '--openapi')] as const),
  );
  return mergeDocuments(Object.fromEntries(documents) as Record<ServiceName, OpenApiDocument>);
}

/** Every HTTP route each built service registers, as `METHOD /path/{param}`. */
export async function serviceRoutes(): Promise<Record<ServiceName, string[]>> {
  const routes = await Promise.all(
    SERVICES.map(async (service) => {
      const listed = await ask<{ method: string; path: string }[]>(service, '--routes');
      return [service, listed.map((route) => `${route.method} ${route.path}`)] as const;
    }),
  );
  return Object.fromEntries(routes) as Record<ServiceName, string[]>;
}

export function formatDocument(document: OpenApiDocument | Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
