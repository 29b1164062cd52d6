/**
 * Every public path of Hookline and the service that answers it: the one table behind the front
 * door of the local stack, the compose stack and the tests. A path `p` matches `p` itself and
 * everything under `p/`.
 */
export type ServiceName = 'registry' | 'change-ingest' | 'matcher' | 'dispatcher' | 'incoming-hooks' | 'tunnel-gateway';

export interface Route {
  service: ServiceName;
  paths: readonly string[];
  /** What lives there, for the decision record and the stack's printout. */
  what: string;
}

export const ROUTES: readonly Route[] = [
  {
    service: 'registry',
    paths: ['/api/v2/webhook', '/apps/pigeon/api/v2/webhook'],
    what: 'Rally webhook API (both prefixes), attempts, failed deliveries, replay',
  },
  { service: 'registry', paths: ['/api/rx/application'], what: 'BMC Helix registration API' },
  { service: 'registry', paths: ['/api/v2/apikey'], what: 'API keys' },
  { service: 'registry', paths: ['/users', '/api/v2/users'], what: 'users and sign-in' },
  { service: 'registry', paths: ['/api/v2/overview'], what: 'delivery figures across webhooks' },
  { service: 'registry', paths: ['/api/v2/portal-links', '/api/v2/portal'], what: 'tenant portal links' },
  {
    service: 'change-ingest',
    paths: ['/api/v2/changes', '/apps/pigeon/api/v2/changes'],
    what: 'changes from producers',
  },
  { service: 'matcher', paths: ['/api/v2/match', '/api/v2/index'], what: 'match dry-run and the webhook index' },
  {
    service: 'dispatcher',
    paths: ['/api/v2/breakers', '/api/v2/deliveries', '/api/v2/blocklist'],
    what: 'circuit breakers, delivery status and the URL blocklist',
  },
  {
    service: 'incoming-hooks',
    paths: ['/pipelines', '/hooks/incoming'],
    what: 'pipelines, incoming hooks and runs, hook URLs',
  },
  { service: 'tunnel-gateway', paths: ['/messaging/shared_spaces'], what: 'tunnel WebSockets for listeners' },
  { service: 'tunnel-gateway', paths: ['/api/v2/sessions'], what: 'live tunnel sessions' },
];

/** Served by the front door itself from its site directory. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** The service a public path goes to, or undefined when the front door serves it itself. */
export function serviceOf(path: string): ServiceName | undefined {
  return ROUTES.find((route) => route.paths.some((p) => path === p || path.startsWith(`${p}/`)))?.service;
}
