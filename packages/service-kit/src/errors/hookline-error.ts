/** Error codes shared by all services; the global filter maps each to one HTTP status. */
export enum ErrorCode {
  Validation = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unprocessable = 'UNPROCESSABLE',
  RateLimited = 'RATE_LIMITED',
  Unavailable = 'UNAVAILABLE',
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.Validation]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Unprocessable]: 422,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Unavailable]: 503,
};

/** One problem with one field of a request. */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** A domain error with a code; services throw these, never HTTP exceptions. */
export class HooklineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HooklineError';
  }

  static validation(details: FieldProblem[], message = 'The request is invalid'): HooklineError {
    return new HooklineError(ErrorCode.Validation, message, details);
  }

  static notFound(what: string): HooklineError {
    return new HooklineError(ErrorCode.NotFound, `${what} not found`);
  }
}
