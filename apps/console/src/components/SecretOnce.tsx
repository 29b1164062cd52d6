import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';

/** A secret the API shows this once: visible until dismissed, with a copy button. */
export function SecretOnce({ title, secret, onDismiss }: { title: string; secret: string; onDismiss: () => void }) {
  return (
    <Alert
      color="yellow"
      title={title}
      role="status"
      withCloseButton
      onClose={onDismiss}
      closeButtonLabel="Dismiss secret"
    >
      <Text size="sm" mb="xs">
        Copy it now: it is shown only this once.
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code data-testid="secret" style={{ overflowWrap: 'anywhere' }}>
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}
