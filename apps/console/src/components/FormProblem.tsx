import { Alert } from '@mantine/core';

/** What stopped a form that is no one field's fault, above its submit button. */
export function FormProblem({ title, problem }: { title: string; problem: string | null }) {
  if (!problem) return null;
  return (
    <Alert color="red" role="alert" title={title}>
      {problem}
    </Alert>
  );
}
