import { Button, Group, Modal, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useDeleteWebhook } from './queries';

/** Delete with a confirmation dialog naming the webhook. */
export function DeleteWebhook({ id, name, onDeleted }: { id: string; name: string; onDeleted?: () => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteWebhook();
  return (
    <>
      <Button color="red" variant="subtle" size="compact-sm" onClick={open} aria-label={`Delete ${name}`}>
        Delete
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete “${name}”?`}>
        <Text size="sm" mb="md">
          It stops firing at once and its delivery log goes with it. This cannot be undone.
        </Text>
        {remove.isError && (
          <Text c="red" size="sm" role="alert" mb="sm">
            {remove.error.message}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() =>
              remove.mutate(id, {
                onSuccess: () => {
                  close();
                  onDeleted?.();
                },
              })
            }
          >
            Delete webhook
          </Button>
        </Group>
      </Modal>
    </>
  );
}
