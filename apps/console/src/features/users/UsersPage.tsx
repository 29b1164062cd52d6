import {
  Alert,
  Badge,
  Button,
  Checkbox,
  type CheckboxGroupProps,
  Fieldset,
  Group,
  Modal,
  PasswordInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { QueryState } from '../../components/QueryState';
import { ApiError, ROLES, type Role, type User } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { useCreateUser, useDisableUser, useSetRoles, useUsers } from './queries';

const ROLE_LABELS: Record<Role, string> = {
  admin: 'admin: everything, users and operations included',
  integration: 'integration: manage webhooks and hooks',
  'read-only': 'read-only: see, change nothing',
};

function RoleChoice(props: Omit<CheckboxGroupProps, 'children'>) {
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

function AddUser() {
  const create = useCreateUser();
  const [added, setAdded] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm({
    initialValues: { Email: '', Password: '', Roles: ['read-only'] as Role[] },
    validate: { Roles: (v) => (v.length > 0 ? null : 'Choose at least one role') },
  });
  const submit = form.onSubmit((values) => {
    setAdded(null);
    setProblem(null);
    create.mutate(values, {
      onSuccess: (user) => {
        setAdded(user.Email);
        form.reset();
      },
      onError: (err) => {
        if (err instanceof ApiError && err.details.length > 0)
          form.setErrors(Object.fromEntries(err.details.map((d) => [d.field, d.reason])));
        else setProblem(err.message);
      },
    });
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Add a user">
      <Fieldset legend="Add a user">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Email" type="email" autoComplete="off" withAsterisk {...form.getInputProps('Email')} />
            <PasswordInput
              label="Password"
              description="12 characters or more; tell it to the user yourself"
              autoComplete="new-password"
              withAsterisk
              {...form.getInputProps('Password')}
            />
          </SimpleGrid>
          <RoleChoice label="Roles" {...form.getInputProps('Roles')} />
          {problem && (
            <Alert color="red" role="alert" title="The user was not added">
              {problem}
            </Alert>
          )}
          {added && (
            <Text size="sm" role="status">
              {added} can now sign in with email and password.
            </Text>
          )}
          <Button type="submit" w="fit-content" loading={create.isPending}>
            Add user
          </Button>
        </Stack>
      </Fieldset>
    </form>
  );
}

function EditRoles({ user, onClose }: { user: User; onClose: () => void }) {
  const setRoles = useSetRoles();
  const form = useForm({
    initialValues: { Roles: user.Roles },
    validate: { Roles: (v) => (v.length > 0 ? null : 'Choose at least one role') },
  });
  return (
    <Modal opened onClose={onClose} title={`Roles of ${user.Email}`}>
      <form
        onSubmit={form.onSubmit((values) =>
          setRoles.mutate({ id: user.UserID, roles: values.Roles }, { onSuccess: onClose }),
        )}
        noValidate
      >
        <Stack>
          <RoleChoice label="Roles" {...form.getInputProps('Roles')} />
          <Text size="sm" c="dimmed">
            The user is signed out everywhere; the new roles apply from the next sign-in.
          </Text>
          {setRoles.isError && (
            <Text c="red" size="sm" role="alert">
              {setRoles.error.message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={setRoles.isPending}>
              Save roles
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Revoke({ user, onClose }: { user: User; onClose: () => void }) {
  const disable = useDisableUser();
  return (
    <Modal opened onClose={onClose} title={`Revoke ${user.Email}?`}>
      <Text size="sm" mb="md">
        The user is signed out everywhere at once and can no longer sign in. This cannot be undone.
      </Text>
      {disable.isError && (
        <Text c="red" size="sm" role="alert" mb="sm">
          {disable.error.message}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color="red"
          loading={disable.isPending}
          onClick={() => disable.mutate(user.UserID, { onSuccess: onClose })}
        >
          Revoke user
        </Button>
      </Group>
    </Modal>
  );
}

export function UsersPage() {
  usePageTitle('Users');
  const users = useUsers();
  const [editing, setEditing] = useState<User | null>(null);
  const [revoking, setRevoking] = useState<User | null>(null);
  return (
    <Stack>
      <Title order={2}>Users</Title>
      <Text c="dimmed" size="sm">
        People who sign in with email and password to this tenant.
      </Text>
      <QueryState query={users} label="users">
        {(data) =>
          data.Results.length === 0 ? (
            <Text c="dimmed">No users yet: add the first below.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Roles</Table.Th>
                    <Table.Th>Added</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>
                      <span aria-hidden />
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.Results.map((user) => (
                    <Table.Tr key={user.UserID}>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{user.Email}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {user.Roles.map((role) => (
                            <Badge key={role} variant="dot">
                              {role}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>{formatTime(user.CreationDate)}</Table.Td>
                      <Table.Td>{user.Disabled ? 'Revoked' : 'Active'}</Table.Td>
                      <Table.Td>
                        {!user.Disabled && (
                          <Group gap="xs" wrap="nowrap">
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              onClick={() => setEditing(user)}
                              aria-label={`Change roles of ${user.Email}`}
                            >
                              Roles
                            </Button>
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              color="red"
                              onClick={() => setRevoking(user)}
                              aria-label={`Revoke ${user.Email}`}
                            >
                              Revoke
                            </Button>
                          </Group>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <AddUser />
      {editing && <EditRoles user={editing} onClose={() => setEditing(null)} />}
      {revoking && <Revoke user={revoking} onClose={() => setRevoking(null)} />}
    </Stack>
  );
}
