import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { HooklineError, type FieldProblem } from './hookline-error';

export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

const HTTP_ARGUMENTS: ReadonlySet<string> = new Set(['body', 'query', 'param', 'custom']);

/**
 * Validates HTTP arguments only. Message payloads (whose argument types are the microservice
 * transport's numeric ones) are checked by the transport with compiled checks at a fraction of
 * class-transformer's cost, and opaque fields must stay as parsed.
 */
class HttpValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return HTTP_ARGUMENTS.has(metadata.type) ? super.transform(value, metadata) : Promise.resolve(value);
  }
}

/** The one validation pipe every service registers: unknown fields are refused, each problem named. */
export function createValidationPipe(): ValidationPipe {
  return new HttpValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => HooklineError.validation(fieldProblems(errors)),
  });
}
