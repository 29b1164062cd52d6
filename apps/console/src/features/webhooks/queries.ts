import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type DraftMatch, type WebhookBody, type WebhookListQuery } from '../../lib/api';

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: (q: WebhookListQuery) => ['webhooks', 'list', q] as const,
  one: (id: string) => ['webhooks', 'one', id] as const,
  attempts: (id: string, start: number) => ['webhooks', 'attempts', id, start] as const,
  failed: (id: string) => ['webhooks', 'failed', id] as const,
};

export function useWebhooks(q: WebhookListQuery) {
  return useQuery({ queryKey: webhookKeys.list(q), queryFn: () => api.webhooks(q), placeholderData: keepPreviousData });
}

export function useWebhook(id: string) {
  return useQuery({ queryKey: webhookKeys.one(id), queryFn: () => api.webhook(id) });
}

/** The attempt log refreshes every few seconds, so new attempts appear while the page is open. */
export function useAttempts(id: string, start: number) {
  return useQuery({
    queryKey: webhookKeys.attempts(id, start),
    queryFn: () => api.attempts(id, start),
    refetchInterval: 3_000,
    placeholderData: keepPreviousData,
  });
}

export function useFailed(id: string) {
  return useQuery({ queryKey: webhookKeys.failed(id), queryFn: () => api.failed(id), refetchInterval: 5_000 });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: webhookKeys.all });
}

export function useCreateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: WebhookBody) => api.createWebhook(body), onSuccess: invalidate });
}

export function useUpdateWebhook(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Partial<WebhookBody>) => api.updateWebhook(id, body),
    onSuccess: invalidate,
  });
}

export function useSetDisabled() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) => api.updateWebhook(id, { Disabled: disabled }),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.deleteWebhook(id), onSuccess: invalidate });
}

export function useRotateSecret(id: string) {
  return useMutation({ mutationFn: () => api.rotateSigningSecret(id) });
}

export function useTestWebhook(id: string) {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: () => api.testWebhook(id), onSuccess: invalidate });
}

/** Replays each delivery in turn; the answer counts those queued and names those refused. */
export function useReplayAll(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (deliveryIds: string[]) => {
      const refused: string[] = [];
      for (const deliveryId of deliveryIds) await api.replay(id, deliveryId).catch(() => refused.push(deliveryId));
      return { queued: deliveryIds.length - refused.length, refused };
    },
    onSuccess: invalidate,
  });
}

export function useReplay(id: string) {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (deliveryId: string) => api.replay(id, deliveryId), onSuccess: invalidate });
}

export function useDryRun() {
  return useMutation({ mutationFn: (body: DraftMatch) => api.dryRun(body) });
}
