import { Badge, Button, Code, Fieldset, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmAction } from '../../components/ConfirmAction';
import { FormProblem } from '../../components/FormProblem';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { RoleChoice } from '../../components/RoleChoice';
import { SecretOnce } from '../../components/SecretOnce';
import { TenantChoice, withTenant } from '../../components/TenantChoice';
import { api, type ApiKey, type CreatedApiKey, type Role } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useSession } from '../../lib/session';
import { useFormProblem } from '../../lib/form-problem';
import { usePageTitle } from '../../lib/page-title';

function Breakers() {
  const breakers = useQuery({ queryKey: ['ops', 'breakers'], queryFn: api.breakers, refetchInterval: 5_000 });
  return (
    <QueryState query={breakers} label="breakers">
      {(data) => (
        <ListTable
          label="Circuit breakers"
          rows={data.Results}
          rowKey={(b) => b.Origin}
          empty="No target has been delivered to yet."
          columns={[
            { header: 'Origin', cell: (b) => b.Origin, wrap: true },
            { header: 'State', cell: (b) => <Badge color={b.State === 'closed' ? 'green' : 'red'}>{b.State}</Badge> },
            { header: 'In flight', cell: (b) => b.InFlight },
            { header: 'Parked', cell: (b) => b.Parked },
            { header: 'Next probe', cell: (b) => formatTime(b.NextProbeAt) },
          ]}
        />
      )}
    </QueryState>
  );
}

function Blocklist() {
  const client = useQueryClient();
  const blocked = useQuery({ queryKey: ['ops', 'blocklist'], queryFn: api.blocklist });
  const unblock = useMutation({
    mutationFn: api.unblock,
    onSuccess: () => client.invalidateQueries({ queryKey: ['ops', 'blocklist'] }),
  });
  return (
    <QueryState query={blocked} label="the blocklist">
      {(data) => (
        <ListTable
          label="Blocked URLs"
          rows={data.Results}
          rowKey={(b) => b.ID}
          empty="No URL is blocked."
          columns={[
            { header: 'URL', cell: (b) => b.Url, wrap: true },
            { header: 'Reason', cell: (b) => b.Reason },
            { header: 'Blocked', cell: (b) => formatTime(b.BlockedAt) },
            { header: 'Until', cell: (b) => (b.Until ? formatTime(b.Until) : 'until unblocked') },
            {
              header: null,
              cell: (b) => (
                <Button
                  size="compact-sm"
                  variant="light"
                  onClick={() => unblock.mutate(b.ID)}
                  aria-label={`Unblock ${b.Url}`}
                >
                  Unblock
                </Button>
              ),
            },
          ]}
        />
      )}
    </QueryState>
  );
}

function Sessions() {
  const sessions = useQuery({ queryKey: ['ops', 'sessions'], queryFn: api.sessions, refetchInterval: 5_000 });
  return (
    <QueryState query={sessions} label="tunnel sessions">
      {(data) => (
        <ListTable
          label="Tunnel sessions"
          rows={data.Results.flatMap((space) => space.Listeners.map((l) => ({ ...l, SharedSpace: space.SharedSpace })))}
          rowKey={(l) => l.Id}
          empty="No listener is connected."
          columns={[
            { header: 'Shared space', cell: (l) => l.SharedSpace },
            { header: 'Listener', cell: (l) => <Code>{l.Id.slice(0, 12)}</Code> },
            { header: 'From', cell: (l) => l.RemoteAddress },
            { header: 'Connected', cell: (l) => formatTime(l.ConnectedAt) },
          ]}
        />
      )}
    </QueryState>
  );
}

/** A key for a machine: its secret is shown once, here, and never again. */
function AddApiKey({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: api.createApiKey,
    onSuccess: () => client.invalidateQueries({ queryKey: ['ops', 'keys'] }),
  });
  const { principal } = useSession();
  const form = useForm({
    initialValues: {
      Name: '',
      Roles: ['integration'] as Role[],
      SharedSpaces: [] as string[],
      SubscriptionID: principal.SubscriptionID as number | string,
    },
    validate: { Roles: (v) => (v.length > 0 ? null : 'Choose at least one role') },
  });
  const failure = useFormProblem(form.setErrors);
  const submit = form.onSubmit((values) => {
    failure.clear();
    create.mutate(withTenant(values, principal.Operator), {
      onSuccess: (key) => {
        form.reset();
        onCreated(key);
      },
      onError: failure.show,
    });
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Add an API key">
      <Fieldset legend="Add an API key">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" description="What the key is for" withAsterisk {...form.getInputProps('Name')} />
            <TagsInput
              label="Shared spaces"
              description="Whose tunnel the key may open (Enter after each)"
              {...form.getInputProps('SharedSpaces')}
            />
          </SimpleGrid>
          {principal.Operator && <TenantChoice {...form.getInputProps('SubscriptionID')} />}
          <RoleChoice label="Roles" {...form.getInputProps('Roles')} />
          <FormProblem title="The key was not made" problem={failure.problem} />
          <Button type="submit" w="fit-content" loading={create.isPending}>
            Add key
          </Button>
        </Stack>
      </Fieldset>
    </form>
  );
}

function ApiKeys() {
  const client = useQueryClient();
  const { principal } = useSession();
  const keys = useQuery({ queryKey: ['ops', 'keys'], queryFn: api.apiKeys });
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: api.revokeApiKey,
    onSuccess: () => client.invalidateQueries({ queryKey: ['ops', 'keys'] }),
  });
  return (
    <QueryState query={keys} label="API keys">
      {(data) => (
        <>
          <ListTable
            label="API keys"
            rows={data.Results}
            rowKey={(k) => k.KeyID}
            empty="No API keys."
            columns={[
              { header: 'Name', cell: (k) => k.Name },
              ...(principal.Operator ? [{ header: 'Tenant', cell: (k: ApiKey) => k.SubscriptionID }] : []),
              { header: 'Key', cell: (k) => <Code>{k.Hint}…</Code> },
              { header: 'Roles', cell: (k) => k.Roles.join(', ') },
              { header: 'Shared spaces', cell: (k) => k.SharedSpaces.join(', ') || '—' },
              { header: 'Created', cell: (k) => formatTime(k.CreationDate) },
              {
                header: null,
                cell: (k) =>
                  k.Revoked ? (
                    <Badge color="gray">revoked</Badge>
                  ) : (
                    k.KeyID !== principal.KeyID && (
                      <Button
                        size="compact-sm"
                        color="red"
                        variant="subtle"
                        onClick={() => setRevoking(k)}
                        aria-label={`Revoke ${k.Name}`}
                      >
                        Revoke
                      </Button>
                    )
                  ),
              },
            ]}
          />
          <AddApiKey onCreated={setCreated} />
          {created && (
            <SecretOnce title={`API key ${created.Name}`} secret={created.Key} onDismiss={() => setCreated(null)} />
          )}
          {revoking && (
            <ConfirmAction
              title={`Revoke the key ${revoking.Name}?`}
              consequence="Every call with it is refused at once and its tunnel listeners are disconnected."
              confirmLabel="Revoke key"
              pending={revoke.isPending}
              error={revoke.error}
              onConfirm={() => revoke.mutate(revoking.KeyID, { onSuccess: () => setRevoking(null) })}
              onClose={() => setRevoking(null)}
            />
          )}
        </>
      )}
    </QueryState>
  );
}

export function OperationsPage() {
  usePageTitle('Operations');
  const { can } = useSession();
  if (!can('admin')) return <Text role="alert">Operations are for admins.</Text>;
  return (
    <Stack>
      <Title order={2}>Operations</Title>
      <Title order={3}>Circuit breakers</Title>
      <Breakers />
      <Title order={3}>Blocked URLs</Title>
      <Blocklist />
      <Title order={3}>Tunnel sessions</Title>
      <Sessions />
      <Title order={3}>API keys</Title>
      <ApiKeys />
    </Stack>
  );
}
