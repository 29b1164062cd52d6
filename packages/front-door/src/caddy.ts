import { DOCS_PATH, OPENAPI_PATH, ROUTES, type ServiceName } from './routes';

export interface CaddyOptions {
  /** Where Caddy listens, e.g. `127.0.0.1:8080` or `:8080`. */
  listen: string;
  /** `host:port` of each service, or of each of its instances (Caddy balances between them). */
  upstream: (service: ServiceName) => string | readonly string[];
  /** The front door's own files: `openapi.json` and `docs/` (from `pnpm build` of this package). */
  siteDir: string;
  /** The console's single-page app, served at `/` with `index.html` for every unknown path. */
  consoleDir: string;
}

type Json = Record<string, unknown>;

/** The error body of every Hookline service, so a client sees one shape wherever a request ends. */
function errorBody(error: string, message: string): string {
  return JSON.stringify({ error, message, details: [] });
}

function under(paths: readonly string[]): string[] {
  return paths.flatMap((p) => [p, `${p}/*`]);
}

function jsonResponse(status: number | string, body: string): Json {
  return {
    handler: 'static_response',
    status_code: status,
    headers: { 'Content-Type': ['application/json'] },
    body,
  };
}

/**
 * Caddy's JSON configuration for the front door, made from the route table. JSON rather than a
 * Caddyfile, so there is no template to escape and `caddy validate` checks exactly what runs.
 */
export function caddyConfig(options: CaddyOptions): Json {
  const proxies = ROUTES.map((route) => ({
    match: [{ path: under(route.paths) }],
    handle: [
      {
        handler: 'reverse_proxy',
        upstreams: [options.upstream(route.service)].flat().map((dial) => ({ dial })),
        transport: {
          protocol: 'http',
          // Caddy keeps 32 idle connections per upstream by default: with more requests in flight,
          // each burst closed the rest and opened them again, costing both sides a connect per request.
          // Idle ones close before Node's 5 s keep-alive does, so a POST never goes to a closing socket.
          keep_alive: { max_idle_conns_per_host: 1024, idle_timeout: '4s' },
        },
      },
    ],
    terminal: true,
  }));
  return {
    // No admin endpoint: the configuration is a file, reloaded by restarting the process.
    admin: { disabled: true },
    logging: { logs: { default: { level: 'WARN' } } },
    apps: {
      http: {
        servers: {
          hookline: {
            listen: [options.listen],
            automatic_https: { disable: true },
            routes: [
              ...proxies,
              {
                match: [{ path: [OPENAPI_PATH] }],
                handle: [
                  { handler: 'headers', response: { set: { 'Cache-Control': ['no-cache'] } } },
                  { handler: 'file_server', root: options.siteDir },
                ],
                terminal: true,
              },
              {
                match: [{ path: under([DOCS_PATH]) }],
                handle: [{ handler: 'file_server', root: options.siteDir }],
                terminal: true,
              },
              {
                // An API path no service serves is a JSON 404, not the console's page.
                match: [{ path: ['/api/*', '/apps/*'] }],
                handle: [jsonResponse(404, errorBody('NOT_FOUND', 'No Hookline API serves this path.'))],
                terminal: true,
              },
              {
                match: [{ file: { root: options.consoleDir, try_files: ['{http.request.uri.path}', '/index.html'] } }],
                handle: [
                  { handler: 'rewrite', uri: '{http.matchers.file.relative}' },
                  { handler: 'file_server', root: options.consoleDir },
                ],
                terminal: true,
              },
            ],
            errors: {
              // A service that is down or restarting answers 502 in the services' own error shape.
              routes: [
                {
                  handle: [
                    jsonResponse(
                      '{http.error.status_code}',
                      errorBody(
                        'UNAVAILABLE',
                        'The front door could not complete this request: {http.error.status_text}',
                      ),
                    ),
                  ],
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** The compose stack's service ports (docker-compose.yml), reached by service name on its network. */
const COMPOSE_PORTS: Record<ServiceName, number> = {
  registry: 8081,
  'change-ingest': 8082,
  matcher: 8083,
  dispatcher: 8084,
  'incoming-hooks': 8085,
  'tunnel-gateway': 8086,
};

/** The configuration the compose stack's proxy runs (infra/front-door/caddy.json, kept equal by a test). */
export function composeCaddyConfig(): Json {
  return caddyConfig({
    listen: ':8080',
    upstream: (service) => `${service}:${COMPOSE_PORTS[service]}`,
    siteDir: '/srv/site',
    consoleDir: '/srv/site/console',
  });
}
