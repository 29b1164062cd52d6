import { Button } from '@mantine/core';
import { useState } from 'react';
import { ConfirmAction } from '../../components/ConfirmAction';
import { useDeleteWebhook } from './queries';

/** Delete with a confirmation dialog naming the webhook. */
export function DeleteWebhook({ id, name, onDeleted }: { id: string; name: string; onDeleted?: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteWebhook();
  return (
    <>
      <Button
        color="red"
        variant="subtle"
        size="compact-sm"
        onClick={() => setConfirming(true)}
        aria-label={`Delete ${name}`}
      >
        Delete
      </Button>
      {confirming && (
        <ConfirmAction
          title={`Delete “${name}”?`}
          consequence="It stops firing at once and its delivery log goes with it."
          confirmLabel="Delete webhook"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() =>
            remove.mutate(id, {
              onSuccess: () => {
                setConfirming(false);
                onDeleted?.();
              },
            })
          }
          onClose={() => setConfirming(false)}
        />
      )}
    </>
  );
}
