import { join } from 'node:path';
import { REPO_ROOT } from './generate';
import { ROUTES, type ServiceName } from './routes';

/** The Helm chart's routing, committed in the chart because Helm reads files, not TypeScript. */
export const HELM_ROUTES_FILE = join(REPO_ROOT, 'infra', 'helm', 'hookline', 'files', 'routes.json');

/** The chart's front door Deployment: the console, `/openapi.json` and `/docs` (the compose stack's proxy image). */
export const CONSOLE_BACKEND = 'console';

export interface IngressRoute {
  path: string;
  /** The Kubernetes Service: a service's own name, or the console. */
  backend: ServiceName | typeof CONSOLE_BACKEND;
}

/**
 * The Ingress paths made from the route table. Kubernetes' `Prefix` matches a path and everything
 * under it by whole segments, as the route table does, and the longest prefix wins, so `/` takes
 * only what no service serves.
 */
export function ingressRoutes(): IngressRoute[] {
  return [
    ...ROUTES.flatMap((route) => route.paths.map((path) => ({ path, backend: route.service }))),
    { path: '/', backend: CONSOLE_BACKEND },
  ];
}
