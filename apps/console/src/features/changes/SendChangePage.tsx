import { Anchor, Button, Fieldset, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { FormProblem } from '../../components/FormProblem';
import { api, CHANGE_ACTIONS, type ChangeAction } from '../../lib/api';
import { useFormProblem } from '../../lib/form-problem';
import { usePageTitle } from '../../lib/page-title';
import { parseRecord } from '../../lib/records';
import { useSession } from '../../lib/session';

const RECORD_FIELDS = ['before', 'after'] as const;

/**
 * Sends one change as a business system would (`POST /api/v2/changes`, a snapshot pair), so a new
 * user sees a real delivery, logged and counted, without curl; a webhook's "Send a test" is not logged.
 */
export function SendChangePage() {
  usePageTitle('Send a change');
  const { can } = useSession();
  const send = useMutation({ mutationFn: api.sendChange });
  const form = useForm({
    initialValues: {
      action: 'Created' as ChangeAction,
      object_type: 'Defect',
      object_id: '',
      before: '',
      after: '{"Priority": "High", "State": "Open"}',
    },
  });
  const failure = useFormProblem(form.setErrors);
  if (!can('admin', 'integration'))
    return <Text role="alert">Sending changes needs the admin or integration role.</Text>;

  const submit = form.onSubmit((values) => {
    failure.clear();
    const records: Partial<Record<(typeof RECORD_FIELDS)[number], Record<string, unknown> | null>> = {};
    const wrong: Record<string, string> = {};
    for (const field of RECORD_FIELDS) {
      // A creation has no record before, a deletion none after: the form hides those fields.
      if ((field === 'before' && values.action === 'Created') || (field === 'after' && values.action === 'Deleted'))
        continue;
      try {
        records[field] = parseRecord(values[field]);
      } catch (err) {
        wrong[field] = (err as Error).message;
      }
    }
    if (Object.keys(wrong).length > 0) return form.setErrors(wrong);
    send.mutate(
      { action: values.action, object_type: values.object_type, object_id: values.object_id, ...records },
      {
        onError: failure.show,
      },
    );
  });

  return (
    <Stack>
      <Title order={2}>Send a change</Title>
      <Text c="dimmed" size="sm">
        A change to a record, as your business system would send it: every webhook whose filters match gets a delivery,
        shown in its attempts and on the overview.
      </Text>
      <form onSubmit={submit} noValidate aria-label="Send a change">
        <Fieldset legend="The change">
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label="Action"
                data={[...CHANGE_ACTIONS]}
                allowDeselect={false}
                {...form.getInputProps('action')}
              />
              <TextInput label="Object type" withAsterisk {...form.getInputProps('object_type')} />
              <TextInput label="Object id" placeholder="d-1" withAsterisk {...form.getInputProps('object_id')} />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {form.values.action !== 'Created' && (
                <Textarea label="Record before" autosize minRows={2} {...form.getInputProps('before')} />
              )}
              {form.values.action !== 'Deleted' && (
                <Textarea label="Record after" autosize minRows={2} {...form.getInputProps('after')} />
              )}
            </SimpleGrid>
            <FormProblem title="The change was not sent" problem={failure.problem} />
            <Button type="submit" w="fit-content" loading={send.isPending}>
              Send change
            </Button>
          </Stack>
        </Fieldset>
      </form>
      <div aria-live="polite">
        {send.data && (
          <Text size="sm" data-testid="change-sent">
            Accepted as message {send.data.message_ids[0]}. Matching webhooks show its delivery in their{' '}
            <Anchor component={Link} to="/webhooks">
              attempts
            </Anchor>
            .
          </Text>
        )}
      </div>
    </Stack>
  );
}
