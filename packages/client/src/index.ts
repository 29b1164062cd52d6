import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';
/** A named schema of the API, e.g. `Schema<'WebhookResponseDto'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
export type HooklineClient = Client<paths>;

export interface HooklineClientOptions {
  /** The one public origin, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** An API key or session token, sent as `Authorization: Bearer`. */
  token?: string;
  /** For tests and other runtimes; the global fetch by default. */
  fetch?: typeof fetch;
}

/**
 * The whole Hookline API, typed from the merged OpenAPI document: paths, bodies and answers are
 * checked by the compiler, and errors come back as the `{error, message, details}` body.
 */
export function createHooklineClient(options: HooklineClientOptions): HooklineClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: options.fetch });
  if (options.token !== undefined) {
    const bearer: Middleware = {
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${options.token}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}
