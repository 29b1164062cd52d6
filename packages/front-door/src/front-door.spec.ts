import { readFileSync } from 'node:fs';
import { composeCaddyConfig } from './caddy';
import { COMPOSE_CADDY_FILE, OPENAPI_FILE } from './generate';
import { HELM_ROUTES_FILE, ingressRoutes } from './ingress';
import type { OpenApiDocument } from './openapi';
import { serviceOf } from './routes';

describe('the front door route table', () => {
  it('sends each area to the service that serves it', () => {
    expect(serviceOf('/api/v2/webhook')).toBe('registry');
    expect(serviceOf('/apps/pigeon/api/v2/webhook/abc/attempts')).toBe('registry');
    expect(serviceOf('/api/v2/blocklist/x')).toBe('dispatcher');
    expect(serviceOf('/users/login')).toBe('registry');
    expect(serviceOf('/api/v2/changes')).toBe('change-ingest');
    expect(serviceOf('/api/v2/match')).toBe('matcher');
    expect(serviceOf('/api/v2/deliveries/webhooks')).toBe('dispatcher');
    expect(serviceOf('/hooks/incoming/abc')).toBe('incoming-hooks');
    expect(serviceOf('/messaging/shared_spaces/1001/webhooks')).toBe('tunnel-gateway');
    // A prefix matches whole segments only.
    expect(serviceOf('/api/v2/webhooks-elsewhere')).toBeUndefined();
    expect(serviceOf('/')).toBeUndefined();
  });

  it('routes every path of the merged document', () => {
    const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
    const unrouted = Object.keys(document.paths).filter((path) => !serviceOf(path.replace(/\{[^}]+\}/g, 'x')));
    expect(unrouted).toEqual([]);
  });

  it("keeps the compose stack's proxy configuration (infra/front-door/caddy.json) made from the table", () => {
    // On failure: pnpm --filter @hookline/front-door generate
    expect(JSON.parse(readFileSync(COMPOSE_CADDY_FILE, 'utf8'))).toEqual(composeCaddyConfig());
  });

  it("keeps the Helm chart's Ingress paths (infra/helm/hookline/files/routes.json) made from the table", () => {
    // On failure: pnpm --filter @hookline/front-door generate
    expect(JSON.parse(readFileSync(HELM_ROUTES_FILE, 'utf8'))).toEqual(ingressRoutes());
  });

  it('gives the Ingress every path of the table, the tunnel to tunnel-gateway and the rest to the console', () => {
    const routes = ingressRoutes();
    const backendOf = (path: string): string | undefined => routes.find((route) => route.path === path)?.backend;
    expect(backendOf('/messaging/shared_spaces')).toBe('tunnel-gateway');
    expect(backendOf('/api/v2/webhook')).toBe('registry');
    expect(backendOf('/')).toBe('console');
    for (const path of ['/api/v2/changes', '/users', '/hooks/incoming', '/api/v2/blocklist']) {
      expect(backendOf(path)).toBe(serviceOf(path));
    }
    expect(new Set(routes.map((route) => route.path)).size).toBe(routes.length);
  });
});
