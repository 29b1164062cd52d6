import { Alert, Button, Fieldset, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { ApiError, CHANGE_ACTIONS, type ChangeAction, type DraftRules } from '../../lib/api';
import { parseRecord } from '../../lib/records';
import { useDryRun } from './queries';

const EXAMPLE = '{"Priority": "High", "State": "Open"}';

/**
 * Tries the form's filters, saved or not, against a sample change through the matcher, and says
 * whether the webhook would fire or which clause stopped it. Problems with the filters themselves
 * go to their fields in the form (`onProblems`), as a save's would.
 */
export function DryRun({
  rules,
  defaultObjectType,
  onProblems,
}: {
  rules: () => DraftRules;
  defaultObjectType: string;
  onProblems: (fields: { field: string; reason: string }[]) => void;
}) {
  const run = useDryRun();
  const [action, setAction] = useState<ChangeAction>('Updated');
  const [objectType, setObjectType] = useState('');
  const [before, setBefore] = useState('');
  const [after, setAfter] = useState(EXAMPLE);
  const [errors, setErrors] = useState<{ before?: string; after?: string }>({});

  const tryIt = () => {
    const found: typeof errors = {};
    const records: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } = {};
    for (const [key, text] of [
      ['before', before],
      ['after', after],
    ] as const) {
      try {
        records[key] = parseRecord(text);
      } catch (err) {
        found[key] = (err as Error).message;
      }
    }
    setErrors(found);
    if (found.before || found.after) return;
    const Change = { action, object_type: objectType.trim() || defaultObjectType, ...records };
    run.mutate(
      { Webhook: rules(), Change },
      {
        onError: (err) => {
          if (err instanceof ApiError)
            onProblems(err.details.map((d) => ({ ...d, field: d.field.replace(/^Webhook\./, '') })));
        },
      },
    );
  };

  return (
    <Fieldset legend="Dry run against a sample change">
      <Stack>
        <Text size="sm" c="dimmed">
          Tries the filters above as they are now, saved or not. Write the record as JSON, attributes by name.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Sample action"
            data={[...CHANGE_ACTIONS]}
            allowDeselect={false}
            value={action}
            onChange={(v) => v && setAction(v as ChangeAction)}
          />
          <TextInput
            label="Sample object type"
            placeholder={defaultObjectType}
            value={objectType}
            onChange={(e) => setObjectType(e.currentTarget.value)}
          />
          {action !== 'Created' && (
            <Textarea
              label="Record before"
              autosize
              minRows={2}
              placeholder={EXAMPLE}
              value={before}
              error={errors.before}
              onChange={(e) => setBefore(e.currentTarget.value)}
            />
          )}
          {action !== 'Deleted' && (
            <Textarea
              label="Record after"
              autosize
              minRows={2}
              value={after}
              error={errors.after}
              onChange={(e) => setAfter(e.currentTarget.value)}
            />
          )}
        </SimpleGrid>
        <Button type="button" variant="light" w="fit-content" loading={run.isPending} onClick={tryIt}>
          Try the filters
        </Button>
        <div aria-live="polite">
          {run.data && (
            <Alert
              color={run.data.fires ? 'green' : 'orange'}
              title={run.data.fires ? 'It fires for this change' : 'It does not fire for this change'}
              data-testid="dry-run-result"
            >
              {run.data.failed && (
                <Text size="sm">
                  {run.data.failed.clause}: {run.data.failed.reason}
                </Text>
              )}
            </Alert>
          )}
          {run.isError && (
            <Alert color="red" title="The filters could not be tried" data-testid="dry-run-result">
              {run.error instanceof ApiError && run.error.details.length > 0
                ? run.error.details.map((d) => (
                    <Text key={d.field} size="sm">
                      {d.field.replace(/^Webhook\./, '')}: {d.reason}
                    </Text>
                  ))
                : run.error.message}
            </Alert>
          )}
        </div>
      </Stack>
    </Fieldset>
  );
}
