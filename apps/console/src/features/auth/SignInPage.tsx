import { Alert, Button, Center, Paper, PasswordInput, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState, type ComponentType } from 'react';
import { api, ApiError, type Principal } from '../../lib/api';
import { fieldErrors } from '../../lib/form-problem';
import { useSessionState } from '../../lib/session';
import { usePageTitle } from '../../lib/page-title';

type SignedIn = (credential: string, principal: Principal) => void;

function ApiKeyForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: { key: '' },
    validate: { key: (value) => (value.trim() ? null : 'Enter an API key') },
  });
  const submit = form.onSubmit(async ({ key }) => {
    setBusy(true);
    try {
      onSignedIn(key.trim(), await api.whoAmI(key.trim()));
    } catch (err) {
      form.setFieldError(
        'key',
        err instanceof ApiError && err.status === 401
          ? 'This key was refused: check it, or ask an admin for a new one'
          : String(err),
      );
    } finally {
      setBusy(false);
    }
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <PasswordInput
          label="API key"
          description="The admin key ./hookline up prints, or a key an admin created for you"
          autoComplete="off"
          data-autofocus
          {...form.getInputProps('key')}
        />
        <Button type="submit" loading={busy}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function EmailForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (value.trim() ? null : 'Enter your email'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });
  const submit = form.onSubmit(async ({ email, password }) => {
    setBusy(true);
    setRefused(null);
    try {
      const { access_token: token } = await api.login(email.trim(), password);
      onSignedIn(token, await api.whoAmI(token));
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) form.setErrors(fieldErrors(err));
      else if (err instanceof ApiError && err.status === 401) setRefused('Wrong email or password');
      else if (err instanceof ApiError && err.status === 429) setRefused(`Too many failed sign-ins: ${err.message}`);
      else setRefused(String(err));
    } finally {
      setBusy(false);
    }
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {refused && (
          <Alert color="red" role="alert">
            {refused}
          </Alert>
        )}
        <TextInput label="Email" type="email" autoComplete="username" {...form.getInputProps('email')} />
        <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps('password')} />
        <Button type="submit" loading={busy}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

/** Each way of signing in is one tab. */
const METHODS: { value: string; label: string; Form: ComponentType<{ onSignedIn: SignedIn }> }[] = [
  { value: 'api-key', label: 'API key', Form: ApiKeyForm },
  { value: 'email', label: 'Email and password', Form: EmailForm },
];

export function SignInPage() {
  usePageTitle('Sign in');
  const { signIn, ended } = useSessionState();
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <Stack>
          <Title order={1} size="h2">
            Sign in to Hookline
          </Title>
          {ended && (
            <Alert color="orange" role="alert">
              {ended}
            </Alert>
          )}
          <Tabs defaultValue={METHODS[0]!.value}>
            <Tabs.List aria-label="How to sign in">
              {METHODS.map((m) => (
                <Tabs.Tab key={m.value} value={m.value}>
                  {m.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {METHODS.map(({ value, Form }) => (
              <Tabs.Panel key={value} value={value} pt="md">
                <Form onSignedIn={signIn} />
              </Tabs.Panel>
            ))}
          </Tabs>
          <Text size="xs" c="dimmed">
            Your key or session stays in this browser tab only and is sent to this origin&apos;s API.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
