import { Checkbox, Stack, type CheckboxGroupProps } from '@mantine/core';
import { ROLES, type Role } from '../lib/api';

const ROLE_LABELS: Record<Role, string> = {
  admin: 'admin: everything, users and operations included',
  integration: 'integration: manage webhooks and hooks, open tunnels',
  'read-only': 'read-only: see, change nothing',
};

/** The roles a user or an API key may carry, each with what it allows. */
export function RoleChoice(props: Omit<CheckboxGroupProps, 'children'>) {
  return (
    <Checkbox.Group {...props}>
      <Stack gap={6} mt="xs">
        {ROLES.map((role) => (
          <Checkbox key={role} value={role} label={ROLE_LABELS[role]} />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}
