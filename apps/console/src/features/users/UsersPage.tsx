import {
  Badge,
  Button,
  Fieldset,
  Group,
  Modal,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { ConfirmAction } from '../../components/ConfirmAction';
import { FormProblem } from '../../components/FormProblem';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { RoleChoice } from '../../components/RoleChoice';
import { TenantChoice, withTenant } from '../../components/TenantChoice';
import { type Role, type User } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useFormProblem } from '../../lib/form-problem';
import { usePageTitle } from '../../lib/page-title';
import { useSession } from '../../lib/session';
import { useCreateUser, useDisableUser, useSetRoles, useUsers } from './queries';

function AddUser() {
  const create = useCreateUser();
  const [added, setAdded] = useState<string | null>(null);
  const { principal } = useSession();
  const form = useForm({
    initialValues: {
      Email: '',
      Password: '',
      Roles: ['read-only'] as Role[],
      SubscriptionID: principal.SubscriptionID as number | string,
    },
    validate: { Roles: (v) => (v.length > 0 ? null : 'Choose at least one role') },
  });
  const failure = useFormProblem(form.setErrors);
  const submit = form.onSubmit((values) => {
    setAdded(null);
    failure.clear();
    create.mutate(withTenant(values, principal.Operator), {
      onSuccess: (user) => {
        setAdded(user.Email);
        form.reset();
      },
      onError: failure.show,
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
          {principal.Operator && <TenantChoice {...form.getInputProps('SubscriptionID')} />}
          <RoleChoice label="Roles" {...form.getInputProps('Roles')} />
          <FormProblem title="The user was not added" problem={failure.problem} />
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

export function UsersPage() {
  usePageTitle('Users');
  const users = useUsers();
  const [editing, setEditing] = useState<User | null>(null);
  const [revoking, setRevoking] = useState<User | null>(null);
  const disable = useDisableUser();
  return (
    <Stack>
      <Title order={2}>Users</Title>
      <Text c="dimmed" size="sm">
        People who sign in with email and password to this tenant.
      </Text>
      <QueryState query={users} label="users">
        {(data) => (
          <ListTable
            label="Users"
            minWidth={640}
            rows={data.Results}
            rowKey={(user) => user.UserID}
            empty="No users yet: add the first below."
            columns={[
              { header: 'Email', cell: (user) => user.Email, wrap: true },
              {
                header: 'Roles',
                cell: (user) => (
                  <Group gap={4}>
                    {user.Roles.map((role) => (
                      <Badge key={role} variant="dot">
                        {role}
                      </Badge>
                    ))}
                  </Group>
                ),
              },
              { header: 'Added', cell: (user) => formatTime(user.CreationDate) },
              { header: 'Status', cell: (user) => (user.Disabled ? 'Revoked' : 'Active') },
              {
                header: null,
                cell: (user) =>
                  !user.Disabled && (
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
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      <AddUser />
      {editing && <EditRoles user={editing} onClose={() => setEditing(null)} />}
      {revoking && (
        <ConfirmAction
          title={`Revoke ${revoking.Email}?`}
          consequence="The user is signed out everywhere at once and can no longer sign in."
          confirmLabel="Revoke user"
          pending={disable.isPending}
          error={disable.error}
          onConfirm={() => disable.mutate(revoking.UserID, { onSuccess: () => setRevoking(null) })}
          onClose={() => setRevoking(null)}
        />
      )}
    </Stack>
  );
}
