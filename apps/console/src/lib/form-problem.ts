import { useState } from 'react';
import { ApiError } from './api';

/** The API's `{field, reason}` problems keyed by the form's field names. */
export function fieldErrors(err: ApiError): Record<string, string> {
  return Object.fromEntries(err.details.map((d) => [d.field, d.reason]));
}

/**
 * Where a refused submission shows: the API's field problems at their fields, anything else as the
 * form's one problem (see components/FormProblem).
 */
export function useFormProblem(setErrors: (errors: Record<string, string>) => void) {
  const [problem, setProblem] = useState<string | null>(null);
  return {
    problem,
    clear: () => setProblem(null),
    show: (err: Error) => {
      if (err instanceof ApiError && err.details.length > 0) setErrors(fieldErrors(err));
      else setProblem(err.message);
    },
  };
}
