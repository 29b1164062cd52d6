import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type NewUser, type Role } from '../../lib/api';

const usersKey = ['users'] as const;

export function useUsers() {
  return useQuery({ queryKey: usersKey, queryFn: api.users });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: usersKey });
}

export function useCreateUser() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: NewUser) => api.createUser(body), onSuccess: invalidate });
}

export function useSetRoles() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, roles }: { id: string; roles: Role[] }) => api.setUserRoles(id, roles),
    onSuccess: invalidate,
  });
}

export function useDisableUser() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.disableUser(id), onSuccess: invalidate });
}
