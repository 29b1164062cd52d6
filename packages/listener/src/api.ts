import { createHooklineClient, type HooklineClient, type Schema } from '@hookline/client';
import type { Connection } from './config';

export type ErrorBody = Schema<'ErrorResponseDto'>;

/** The API answered with an error status; `body` is its `{error, message, details}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
    readonly url: string,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

/** Nothing answered at the URL (refused, unknown host, reset). */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
  }
}

/** No token to send: nobody signed in and none given in the environment. */
export class NotSignedInError extends Error {}

export function clientFor(connection: Connection, fetchImpl?: typeof fetch): HooklineClient {
  return createHooklineClient({
    baseUrl: connection.url,
    ...(connection.token !== undefined && { token: connection.token }),
    ...(fetchImpl !== undefined && { fetch: fetchImpl }),
  });
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorBody).message === 'string';
}

/** Awaits one generated-client call: its data on success, else an ApiError or UnreachableError to show the user. */
export async function call<T>(
  url: string,
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result;
  try {
    result = await request();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(url, cause?.code ?? cause?.message ?? (err as Error).message);
  }
  if (!result.response.ok) {
    throw new ApiError(
      result.response.status,
      isErrorBody(result.error) ? result.error : undefined,
      result.response.url,
    );
  }
  return result.data as T;
}
