import { Badge, Button, Code, CopyButton, Group, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import { api, ApiError, type IncomingHook } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { fieldErrors } from '../../lib/form-problem';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/page-title';

/** The API's field problems at their fields; anything else under the name, the one field every form here has. */
function problemsOf(err: unknown): Record<string, string> {
  return err instanceof ApiError && err.details.length > 0 ? fieldErrors(err) : { name: String(err) };
}

function NewPipeline({ onCreated }: { onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const form = useForm({ initialValues: { name: '' } });
  const create = useMutation({ mutationFn: api.createPipeline });
  return (
    <form
      aria-label="New pipeline"
      onSubmit={form.onSubmit(({ name }) =>
        create.mutate(
          { name },
          {
            onSuccess: (p) => {
              form.reset();
              void client.invalidateQueries({ queryKey: ['pipelines'] });
              onCreated(p.id);
            },
            onError: (err) => form.setErrors(problemsOf(err)),
          },
        ),
      )}
    >
      <Group align="flex-end">
        <TextInput label="New pipeline" placeholder="deploy-web" {...form.getInputProps('name')} />
        <Button type="submit" loading={create.isPending}>
          Create pipeline
        </Button>
      </Group>
    </form>
  );
}

function NewHook({ pipelineId }: { pipelineId: string }) {
  const client = useQueryClient();
  const [created, setCreated] = useState<IncomingHook | null>(null);
  const form = useForm({ initialValues: { name: '', action_type: 'deploy', requires_secret: true } });
  const create = useMutation({
    mutationFn: (body: typeof form.values) => api.createHook(pipelineId, { ...body, secret_algorithm: 'sha256' }),
  });
  return (
    <Stack>
      <form
        aria-label="New incoming hook"
        onSubmit={form.onSubmit((values) =>
          create.mutate(values, {
            onSuccess: (hook) => {
              setCreated(hook);
              form.reset();
              void client.invalidateQueries({ queryKey: ['hooks', pipelineId] });
            },
            onError: (err) => form.setErrors(problemsOf(err)),
          }),
        )}
      >
        <Group align="flex-end">
          <TextInput label="Hook name" {...form.getInputProps('name')} />
          <TextInput label="Action type" {...form.getInputProps('action_type')} />
          <Switch
            label="Requires a signature"
            mb={8}
            {...form.getInputProps('requires_secret', { type: 'checkbox' })}
          />
          <Button type="submit" loading={create.isPending}>
            Create hook
          </Button>
        </Group>
      </form>
      {created && (
        <Stack gap="xs">
          <Text size="sm">
            Hook URL: <Code data-testid="hook-url">{created.url}</Code>
          </Text>
          {created.secret_header_name && (
            <Text size="sm">
              Senders sign the body with HMAC in the header{' '}
              <Code data-testid="hook-secret-header">{created.secret_header_name}</Code>
            </Text>
          )}
          {created.secret && (
            <SecretOnce
              title={`Secret of ${created.name}`}
              secret={created.secret}
              onDismiss={() => setCreated(null)}
            />
          )}
        </Stack>
      )}
    </Stack>
  );
}

function Hooks({ pipelineId }: { pipelineId: string }) {
  const hooks = useQuery({ queryKey: ['hooks', pipelineId], queryFn: () => api.hooks(pipelineId) });
  return (
    <QueryState query={hooks} label="hooks">
      {(data) => (
        <ListTable
          label="Incoming hooks"
          rows={data}
          rowKey={(h) => h.id}
          empty="No hooks on this pipeline yet."
          columns={[
            { header: 'Name', cell: (h) => h.name },
            {
              header: 'URL',
              cell: (h) => (
                <Group gap="xs" wrap="nowrap">
                  <Code style={{ overflowWrap: 'anywhere' }}>{h.url}</Code>
                  <CopyButton value={h.url}>
                    {({ copied, copy }) => (
                      <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy URL of ${h.name}`}>
                        {copied ? 'Copied' : 'Copy'}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
              ),
            },
            { header: 'Action', cell: (h) => h.action_type },
            {
              header: 'State',
              cell: (h) => <Badge color={h.disabled ? 'gray' : 'green'}>{h.disabled ? 'disabled' : 'enabled'}</Badge>,
            },
          ]}
        />
      )}
    </QueryState>
  );
}

function Runs({ pipelineId }: { pipelineId: string }) {
  const runs = useQuery({
    queryKey: ['runs', pipelineId],
    queryFn: () => api.runs(pipelineId),
    refetchInterval: 5_000,
  });
  return (
    <QueryState query={runs} label="runs">
      {(data) => (
        <ListTable
          label="Pipeline runs"
          rows={data}
          rowKey={(r) => r.id}
          empty="No runs yet: calling a hook URL starts one."
          columns={[
            { header: 'Received', cell: (r) => formatTime(r.received_at) },
            { header: 'Action', cell: (r) => r.action_type },
            {
              header: 'Status',
              cell: (r) => (
                <Badge color={r.status === 'succeeded' ? 'green' : r.status === 'failed' ? 'red' : 'blue'}>
                  {r.status}
                </Badge>
              ),
            },
            { header: 'Variables', cell: (r) => <Code>{JSON.stringify(r.variables)}</Code>, wrap: true },
          ]}
        />
      )}
    </QueryState>
  );
}

export function IncomingPage() {
  usePageTitle('Incoming hooks');
  const { can } = useSession();
  const admin = can('admin');
  const [params, setParams] = useSearchParams();
  const pipelines = useQuery({ queryKey: ['pipelines'], queryFn: api.pipelines });
  const selected = params.get('pipeline') ?? pipelines.data?.[0]?.id ?? null;
  const select = (id: string | null) => setParams(id ? { pipeline: id } : {});
  return (
    <Stack>
      <Title order={2}>Incoming hooks</Title>
      <QueryState query={pipelines} label="pipelines">
        {(data) =>
          data.length === 0 ? (
            <Text c="dimmed">No pipelines yet.</Text>
          ) : (
            <Select
              label="Pipeline"
              data={data.map((p) => ({ value: p.id, label: p.name }))}
              value={selected}
              onChange={select}
              allowDeselect={false}
              maw={360}
            />
          )
        }
      </QueryState>
      {admin && <NewPipeline onCreated={select} />}
      {selected && (
        <>
          <Title order={3}>Hooks</Title>
          {admin && <NewHook pipelineId={selected} />}
          <Hooks pipelineId={selected} />
          <Title order={3}>Runs</Title>
          <Runs pipelineId={selected} />
        </>
      )}
    </Stack>
  );
}
