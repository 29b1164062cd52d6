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

/** Asks each built service for its document (`main.js --openapi`) and merges them. */
export async function generateDocument(): Promise<OpenApiDocument> {
  const services = [...new Set(ROUTES.map((route) => route.service))];
  const documents = await Promise.all(
    services.map(async (service) => {
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'apps', service, 'dist', 'main.js'), '--openapi'], {
        cwd: join(REPO_ROOT, 'apps', service),
        maxBuffer: 64 * 1024 * 1024,
      });
      return [service, JSON.parse(stdout) as OpenApiDocument] as const;
    }),
  );
  return mergeDocuments(Object.fromEntries(documents) as Record<ServiceName, OpenApiDocument>);
}

export function formatDocument(document: OpenApiDocument | Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
