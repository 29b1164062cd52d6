import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type NewPortalLink } from '../../lib/api';

const linksKey = ['portal-links'] as const;

export function usePortalLinks() {
  return useQuery({ queryKey: linksKey, queryFn: api.portalLinks });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: linksKey });
}

export function useCreatePortalLink() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: NewPortalLink) => api.createPortalLink(body), onSuccess: invalidate });
}

export function useRevokePortalLink() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.revokePortalLink(id), onSuccess: invalidate });
}
