import { Alert, Loader } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

/** A query's loading and error states, the same on every page; children render with the data. */
export function QueryState<T>({
  query,
  label,
  children,
}: {
  query: UseQueryResult<T>;
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loader size="sm" aria-label={`Loading ${label}`} />;
  if (query.isError)
    return (
      <Alert color="red" title={`Could not load ${label}`} role="alert">
        {query.error.message}
      </Alert>
    );
  return <>{children(query.data)}</>;
}
