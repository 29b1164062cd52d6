import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';

/** The page refreshes its figures this often; the registry answers within about a second. */
export const REFRESH_MS = 5_000;

/** The registry's overview of the last hour: one query the page's sections share. */
export function useOverview() {
  return useQuery({ queryKey: ['overview', 'figures'], queryFn: () => api.overview(60), refetchInterval: REFRESH_MS });
}
