import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NumberInput,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import {
  ApiError,
  AUTHENTICATION_TYPES,
  EVENTS,
  OPERATORS,
  PAYLOAD_FORMATS,
  SIGN_IN_FLOWS,
  TOKEN_SCHEMES,
  type Webhook,
} from '../../lib/api';
import { DryRun } from './DryRun';
import {
  draftRules,
  emptyForm,
  fromWebhook,
  LISTED,
  maskedLeft,
  OPERATOR_LABELS,
  splitProblems,
  toBody,
  VALUELESS,
  type WebhookFormValues,
} from './model';
import { useCreateWebhook, useUpdateWebhook, useWebhook } from './queries';
import { usePageTitle } from '../../lib/page-title';

const AUTHENTICATION_LABELS = {
  None: 'None',
  Basic: 'Basic',
  OAuth2ClientCredentials: 'OAuth2 client credentials',
  SignIn: 'Sign in first, then send its token',
  Token: 'Token',
} as const;

/** Whether the form has a value at an API field path such as `Expressions.0.Value`. */
function hasPath(values: WebhookFormValues, path: string): boolean {
  let at: unknown = values;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !(part in at)) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return true;
}

function WebhookForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial: WebhookFormValues;
  submitLabel: string;
  onSubmit: (values: WebhookFormValues, changed: (path: 'Headers' | 'Authentication') => boolean) => Promise<unknown>;
}) {
  const form = useForm<WebhookFormValues>({
    initialValues: initial,
    validate: {
      Name: (v) => (v.trim() ? null : 'Name is required'),
      TargetUrl: (v) => (v.trim() ? null : 'Target URL is required'),
    },
  });
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const values = form.getValues();
  const auth = values.Authentication.Type;

  const submit = form.onSubmit(
    async (submitted) => {
      setProblems([]);
      const changed = (path: 'Headers' | 'Authentication') => form.isDirty(path);
      const masked = maskedLeft(submitted, changed);
      if (Object.keys(masked).length > 0) return form.setErrors(masked);
      setBusy(true);
      try {
        await onSubmit(submitted, changed);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const { fields, other } = splitProblems(err.details, (field) => hasPath(submitted, field));
        form.setErrors(fields);
        setProblems(other.length > 0 || Object.keys(fields).length === 0 ? [err.message, ...other] : []);
      } finally {
        setBusy(false);
      }
    },
    () => setProblems([]),
  );

  return (
    <form onSubmit={submit} noValidate aria-label="Webhook">
      <Stack>
        {problems.length > 0 && (
          <Alert color="red" title="The webhook was not saved" role="alert">
            {problems.map((p) => (
              <Text key={p} size="sm">
                {p}
              </Text>
            ))}
          </Alert>
        )}
        <Fieldset legend="Receiver">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" withAsterisk {...form.getInputProps('Name')} />
            <TextInput
              label="Target URL"
              withAsterisk
              placeholder="https://receiver.example/hook"
              {...form.getInputProps('TargetUrl')}
            />
            <TextInput label="Application name" {...form.getInputProps('AppName')} />
            <TextInput label="Application URL" {...form.getInputProps('AppUrl')} />
          </SimpleGrid>
          <Switch
            mt="md"
            label="Disabled: kept, but never fires"
            {...form.getInputProps('Disabled', { type: 'checkbox' })}
          />
        </Fieldset>

        <Fieldset legend="When it fires">
          <Stack>
            <TagsInput
              label="Object types"
              description="Empty: every object type. Press Enter after each."
              placeholder="Defect"
              {...form.getInputProps('ObjectTypes')}
            />
            <Checkbox.Group
              label="Events"
              description="None ticked: expressions decide"
              {...form.getInputProps('Events')}
            >
              <Group mt="xs">
                {EVENTS.map((e) => (
                  <Checkbox key={e} value={e} label={e} />
                ))}
              </Group>
            </Checkbox.Group>
            <Stack gap="xs" role="group" aria-labelledby="expressions-label">
              <Text id="expressions-label" fw={500} size="sm">
                Expressions (all must hold)
              </Text>
              {values.Expressions.map((row, i) => (
                <Group key={form.key(`Expressions.${i}`)} align="flex-start" wrap="wrap" gap="xs">
                  <TextInput
                    label={`Attribute ${i + 1}`}
                    placeholder="Priority"
                    {...form.getInputProps(`Expressions.${i}.AttributeName`)}
                    key={form.key(`Expressions.${i}.AttributeName`)}
                  />
                  <Select
                    label={`Operator ${i + 1}`}
                    data={OPERATORS.map((op) => ({ value: op, label: `${op}  ${OPERATOR_LABELS[op]}` }))}
                    allowDeselect={false}
                    w={190}
                    {...form.getInputProps(`Expressions.${i}.Operator`)}
                    key={form.key(`Expressions.${i}.Operator`)}
                  />
                  {!VALUELESS.includes(row.Operator) && (
                    <TextInput
                      label={`Value ${i + 1}`}
                      description={LISTED.includes(row.Operator) ? 'Comma-separated' : 'Quote to keep "10" as text'}
                      {...form.getInputProps(`Expressions.${i}.Value`)}
                      key={form.key(`Expressions.${i}.Value`)}
                    />
                  )}
                  <ActionIcon
                    mt={26}
                    variant="subtle"
                    color="red"
                    aria-label={`Remove expression ${i + 1}`}
                    onClick={() => form.removeListItem('Expressions', i)}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              {typeof form.errors.Expressions === 'string' && (
                <Text c="red" size="sm" role="alert">
                  {form.errors.Expressions}
                </Text>
              )}
              <Button
                variant="light"
                size="compact-sm"
                w="fit-content"
                onClick={() => form.insertListItem('Expressions', { AttributeName: '', Operator: '=', Value: '' })}
              >
                Add expression
              </Button>
            </Stack>
            <Textarea
              label="Condition"
              description={'BMC condition, e.g. ${webhookContext.Priority} = "High" AND ${webhookContext.4} = $NULL$'}
              autosize
              minRows={1}
              {...form.getInputProps('Condition')}
            />
          </Stack>
        </Fieldset>

        <DryRun
          rules={() => draftRules(form.getValues())}
          defaultObjectType={values.ObjectTypes[0] ?? 'Defect'}
          onProblems={(found) => {
            const { fields } = splitProblems(found, (field) => hasPath(form.getValues(), field));
            form.setErrors(fields);
          }}
        />

        <Fieldset legend="Payload">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="Payload format"
              data={PAYLOAD_FORMATS.map((f) => ({
                value: f,
                label: { rally: 'Rally {rule, message}', record: 'Flat record', ticket: 'Ticket' }[f],
              }))}
              allowDeselect={false}
              {...form.getInputProps('PayloadFormat')}
            />
            <TagsInput
              label="Extra fields"
              description="Sent in the payload besides the changed ones"
              {...form.getInputProps('Fields')}
            />
            <Switch
              label="Send every field of the record"
              {...form.getInputProps('IncludeAllFields', { type: 'checkbox' })}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend="Delivery">
          <Stack>
            <Stack gap="xs" role="group" aria-labelledby="headers-label">
              <Text id="headers-label" fw={500} size="sm">
                Headers (stored encrypted, shown masked)
              </Text>
              {values.Headers.map((_h, i) => (
                <Group key={form.key(`Headers.${i}`)} gap="xs" align="flex-end">
                  <TextInput
                    label={`Header name ${i + 1}`}
                    {...form.getInputProps(`Headers.${i}.name`)}
                    key={form.key(`Headers.${i}.name`)}
                  />
                  <TextInput
                    label={`Header value ${i + 1}`}
                    {...form.getInputProps(`Headers.${i}.value`)}
                    key={form.key(`Headers.${i}.value`)}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mb={4}
                    aria-label={`Remove header ${i + 1}`}
                    onClick={() => form.removeListItem('Headers', i)}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              {typeof form.errors.Headers === 'string' && (
                <Text c="red" size="sm" role="alert">
                  {form.errors.Headers}
                </Text>
              )}
              <Button
                variant="light"
                size="compact-sm"
                w="fit-content"
                onClick={() => form.insertListItem('Headers', { name: '', value: '' })}
              >
                Add header
              </Button>
            </Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label="Communication method"
                data={[
                  { value: 'http', label: 'HTTP POST to the target URL' },
                  { value: 'websocket', label: 'Through a listener’s tunnel' },
                ]}
                allowDeselect={false}
                {...form.getInputProps('CommunicationMethod')}
              />
              {values.CommunicationMethod === 'websocket' && (
                <TextInput
                  label="Shared space"
                  description="The tunnel’s shared space"
                  {...form.getInputProps('SharedSpace')}
                />
              )}
            </SimpleGrid>
            <Select
              label="Authentication"
              data={(['None', ...AUTHENTICATION_TYPES] as const).map((t) => ({
                value: t,
                label: AUTHENTICATION_LABELS[t],
              }))}
              allowDeselect={false}
              maw={320}
              {...form.getInputProps('Authentication.Type')}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {auth === 'SignIn' && (
                <>
                  <Select
                    label="Sign-in flow"
                    data={[...SIGN_IN_FLOWS]}
                    allowDeselect={false}
                    {...form.getInputProps('Authentication.Flow')}
                  />
                  <TextInput label="Sign-in URL" {...form.getInputProps('Authentication.SignInUrl')} />
                </>
              )}
              {(auth === 'Basic' || auth === 'SignIn') && (
                <>
                  <TextInput label="Username" autoComplete="off" {...form.getInputProps('Authentication.Username')} />
                  <PasswordInput
                    label="Password"
                    autoComplete="new-password"
                    {...form.getInputProps('Authentication.Password')}
                  />
                </>
              )}
              {auth === 'Token' && (
                <>
                  <Select
                    label="Scheme"
                    data={[...TOKEN_SCHEMES]}
                    allowDeselect={false}
                    {...form.getInputProps('Authentication.Scheme')}
                  />
                  <PasswordInput label="Token" autoComplete="off" {...form.getInputProps('Authentication.Token')} />
                </>
              )}
              {auth === 'OAuth2ClientCredentials' && (
                <>
                  <TextInput label="Token URL" {...form.getInputProps('Authentication.TokenUrl')} />
                  <TextInput label="Client id" {...form.getInputProps('Authentication.ClientId')} />
                  <PasswordInput
                    label="Client secret"
                    autoComplete="off"
                    {...form.getInputProps('Authentication.ClientSecret')}
                  />
                </>
              )}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput
                label="Retries"
                description="Default 3"
                min={0}
                max={10}
                allowDecimal={false}
                {...form.getInputProps('RetryPolicy.MaxRetries')}
              />
              <NumberInput
                label="First retry after (ms)"
                description="Default 10 s, then 1 min, 5 min"
                min={100}
                allowDecimal={false}
                {...form.getInputProps('RetryPolicy.InitialDelayMs')}
              />
              <NumberInput
                label="Backoff multiplier"
                min={1}
                max={10}
                decimalScale={2}
                {...form.getInputProps('RetryPolicy.BackoffMultiplier')}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>
        <Group>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
          <Button component={Link} to="/webhooks" variant="default">
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function WebhookNewPage() {
  usePageTitle('New webhook');
  const create = useCreateWebhook();
  const navigate = useNavigate();
  const [created, setCreated] = useState<Webhook | null>(null);
  if (created)
    return (
      <Stack maw={720}>
        <Title order={2}>Webhook “{created.Name}” created</Title>
        <SecretOnce
          title="Signing secret"
          secret={created.SigningSecret}
          onDismiss={() => navigate(`/webhooks/${created.ObjectUUID}`)}
        />
        <Group>
          <Button component={Link} to={`/webhooks/${created.ObjectUUID}`}>
            Open the webhook
          </Button>
          <Button component={Link} to="/webhooks" variant="default">
            Back to webhooks
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Stack maw={960}>
      <Title order={2}>New webhook</Title>
      <WebhookForm
        initial={emptyForm()}
        submitLabel="Create webhook"
        onSubmit={async (values) => setCreated(await create.mutateAsync(toBody(values)))}
      />
    </Stack>
  );
}

export function WebhookEditPage() {
  usePageTitle('Edit webhook');
  const { id = '' } = useParams();
  const webhook = useWebhook(id);
  const update = useUpdateWebhook(id);
  const navigate = useNavigate();
  return (
    <Stack maw={960}>
      <Title order={2}>Edit webhook</Title>
      <QueryState query={webhook} label="the webhook">
        {(w) => (
          <WebhookForm
            initial={fromWebhook(w)}
            submitLabel="Save changes"
            onSubmit={async (values, changed) => {
              await update.mutateAsync(toBody(values, changed));
              await navigate(`/webhooks/${id}`);
            }}
          />
        )}
      </QueryState>
    </Stack>
  );
}
