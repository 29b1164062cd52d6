import {
  Badge,
  Button,
  ColorInput,
  Fieldset,
  NumberInput,
  SegmentedControl,
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
import { SecretOnce } from '../../components/SecretOnce';
import { type CreatedPortalLink, type PortalLink, type PortalScope } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useFormProblem } from '../../lib/form-problem';
import { usePageTitle } from '../../lib/page-title';
import { useCreatePortalLink, usePortalLinks, useRevokePortalLink } from './queries';

const SCOPE_CHOICES: { value: PortalScope; label: string }[] = [
  { value: 'read-only', label: 'Read only' },
  { value: 'manage-webhooks', label: 'Manage webhooks' },
];

function state(link: PortalLink): { label: string; color: string } {
  if (link.Revoked) return { label: 'revoked', color: 'gray' };
  return Date.parse(link.ExpiresAt) <= Date.now()
    ? { label: 'expired', color: 'orange' }
    : { label: 'live', color: 'green' };
}

function NewLink({ onCreated }: { onCreated: (link: CreatedPortalLink) => void }) {
  const create = useCreatePortalLink();
  const form = useForm({
    initialValues: {
      DisplayName: '',
      LogoURL: '',
      AccentColor: '',
      Scope: 'read-only' as PortalScope,
      ExpiresInHours: 168 as number | string,
    },
  });
  const failure = useFormProblem(form.setErrors);
  const submit = form.onSubmit((values) => {
    failure.clear();
    create.mutate(
      {
        DisplayName: values.DisplayName,
        Scope: values.Scope,
        ExpiresInHours: Number(values.ExpiresInHours),
        ...(values.LogoURL && { LogoURL: values.LogoURL }),
        ...(values.AccentColor && { AccentColor: values.AccentColor }),
      },
      {
        onSuccess: (link) => {
          form.reset();
          onCreated(link);
        },
        onError: failure.show,
      },
    );
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Make a portal link">
      <Fieldset legend="Make a portal link">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Tenant name" withAsterisk {...form.getInputProps('DisplayName')} />
            <TextInput label="Logo URL" placeholder="https://…" {...form.getInputProps('LogoURL')} />
            <ColorInput
              label="Accent colour"
              format="hex"
              placeholder="#0b7285"
              {...form.getInputProps('AccentColor')}
            />
            <NumberInput label="Valid for (hours)" min={1} max={8760} {...form.getInputProps('ExpiresInHours')} />
          </SimpleGrid>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="portal-scope">
              What the link may do
            </Text>
            <SegmentedControl aria-labelledby="portal-scope" data={SCOPE_CHOICES} {...form.getInputProps('Scope')} />
          </Stack>
          <FormProblem title="The link was not made" problem={failure.problem} />
          <Button type="submit" w="fit-content" loading={create.isPending}>
            Make link
          </Button>
        </Stack>
      </Fieldset>
    </form>
  );
}

/** Admins hand tenants a console of their own: scoped, expiring, revocable. */
export function PortalLinksPage() {
  usePageTitle('Portal links');
  const links = usePortalLinks();
  const [created, setCreated] = useState<CreatedPortalLink | null>(null);
  const [revoking, setRevoking] = useState<PortalLink | null>(null);
  const revoke = useRevokePortalLink();
  return (
    <Stack>
      <Title order={2}>Portal links</Title>
      <Text c="dimmed" size="sm">
        A link opens the console for one tenant with its name, logo and colour, without signing in: its webhooks,
        attempts and failed deliveries only. An expired link stays listed as expired for a week, then is deleted.
      </Text>
      <NewLink onCreated={setCreated} />
      {created && <SecretOnce title="Portal link made" secret={created.URL} onDismiss={() => setCreated(null)} />}
      <QueryState query={links} label="portal links">
        {(data) => (
          <ListTable
            label="Portal links"
            minWidth={640}
            rows={data.Results}
            rowKey={(link) => link.LinkID}
            empty="No portal links yet."
            columns={[
              { header: 'Tenant', cell: (link) => `${link.Branding.DisplayName} (${link.SubscriptionID})` },
              { header: 'Scope', cell: (link) => link.Scope },
              { header: 'Expires', cell: (link) => formatTime(link.ExpiresAt) },
              {
                header: 'Status',
                cell: (link) => {
                  const { label, color } = state(link);
                  return <Badge color={color}>{label}</Badge>;
                },
              },
              {
                header: null,
                cell: (link) =>
                  state(link).label === 'live' && (
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red"
                      onClick={() => setRevoking(link)}
                      aria-label={`Revoke the link for ${link.Branding.DisplayName}`}
                    >
                      Revoke
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {revoking && (
        <ConfirmAction
          title={`Revoke the link for ${revoking.Branding.DisplayName}?`}
          consequence="Whoever holds it loses access at once."
          confirmLabel="Revoke link"
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(revoking.LinkID, { onSuccess: () => setRevoking(null) })}
          onClose={() => setRevoking(null)}
        />
      )}
    </Stack>
  );
}
