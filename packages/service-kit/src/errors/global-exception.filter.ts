import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { bodyParserError } from '../http/request-body';
import { ErrorCode, HooklineError, HTTP_STATUS_BY_CODE } from './hookline-error';

/**
 * Errors by which the MongoDB driver, mongoose and the NATS client say the server cannot be reached
 * (or did not answer in time) right now. They say nothing about the request, so the answer is 503
 * and a client re-sends, as it would to a service that is restarting.
 */
const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  // @nats-io/nats-core: a request or JetStream publish ack that did not come, a connection gone.
  'TimeoutError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'NoResponders',
]);

/** Seconds a client is asked to wait before re-sending after a 503 of an unavailable dependency. */
const UNAVAILABLE_RETRY_AFTER_S = '2';

/** True when the error means a dependency (MongoDB, NATS) is unavailable, not that the request is wrong. */
export function isDependencyUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE_ERRORS.has(err.name)) return true;
  // mongoose queues operations while disconnected and fails them after bufferTimeoutMS.
  return err.name === 'MongooseError' && /buffering timed out/i.test(err.message);
}

interface ErrorBody {
  error: string;
  message: string;
  details: unknown[];
  correlationId?: string;
}

/** Maps every error to `{ error, message, details }`; unexpected ones become an opaque 500. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GlobalExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.toResponse(exception);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private toResponse(thrown: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
    const exception = bodyParserError(thrown) ?? thrown;
    if (exception instanceof HooklineError) {
      return {
        status: HTTP_STATUS_BY_CODE[exception.code],
        body: { error: exception.code, message: exception.message, details: exception.details },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const message =
        typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? exception.message);
      return { status, body: { error: httpErrorName(status), message, details: [] }, headers: {} };
    }
    const correlationId = randomUUID();
    if (isDependencyUnavailable(exception)) {
      this.logger.warn({ err: String(exception), correlationId }, 'dependency unavailable');
      return {
        status: HTTP_STATUS_BY_CODE[ErrorCode.Unavailable],
        body: {
          error: ErrorCode.Unavailable,
          message: 'A service this one depends on is unavailable; try again shortly',
          details: [],
          correlationId,
        },
        headers: { 'Retry-After': UNAVAILABLE_RETRY_AFTER_S },
      };
    }
    this.logger.error({ err: exception, correlationId }, 'unexpected error');
    return {
      status: 500,
      body: { error: 'INTERNAL', message: 'Internal error', details: [], correlationId },
      headers: {},
    };
  }
}

function httpErrorName(status: number): string {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    default:
      return `HTTP_${status}`;
  }
}
