import { Button, Group, Modal, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Asks before an action that cannot be undone (delete, revoke): says what follows, shows the
 * API's refusal in place, and keeps the dialog open until the action succeeds or is cancelled.
 */
export function ConfirmAction({
  title,
  consequence,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  consequence: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={onClose} title={title}>
      <Text size="sm" mb="md">
        {consequence} This cannot be undone.
      </Text>
      {error && (
        <Text c="red" size="sm" role="alert" mb="sm">
          {error.message}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" loading={pending} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
