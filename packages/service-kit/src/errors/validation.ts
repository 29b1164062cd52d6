import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { HooklineError, type FieldProblem } from './hookline-error';

export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/** The one validation pipe every service registers: unknown fields are refused, each problem named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => HooklineError.validation(fieldProblems(errors)),
  });
}
