import { Alert, Badge, Button, Code, Group, Pagination, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import { Stat } from '../../components/Stat';
import type { Attempt, Webhook } from '../../lib/api';
import { failureRate, formatLatency, formatTime, pageCount, startOf } from '../../lib/format';
import { useSession } from '../../lib/session';
import { AttemptDetails } from './AttemptDetails';
import { DeleteWebhook } from './DeleteWebhook';
import {
  useAttempts,
  useFailed,
  useReplay,
  useReplayAll,
  useRotateSecret,
  useSetDisabled,
  useTestWebhook,
  useWebhook,
} from './queries';
import { usePageTitle } from '../../lib/page-title';

const ATTEMPTS_PAGE = 20;

function outcomeColor(outcome: string): string {
  return outcome === 'success' ? 'green' : outcome === 'retry' ? 'yellow' : 'red';
}

function Actions({ webhook }: { webhook: Webhook }) {
  const id = webhook.ObjectUUID;
  const navigate = useNavigate();
  const test = useTestWebhook(id);
  const rotate = useRotateSecret(id);
  const setDisabled = useSetDisabled();
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Stack>
      <Group>
        <Button component={Link} to={`/webhooks/${id}/edit`} variant="default">
          Edit
        </Button>
        <Button onClick={() => test.mutate()} loading={test.isPending}>
          Send a test
        </Button>
        <Button
          variant="default"
          loading={setDisabled.isPending}
          onClick={() => setDisabled.mutate({ id, disabled: !webhook.Disabled })}
        >
          {webhook.Disabled ? 'Enable' : 'Disable'}
        </Button>
        <Button
          variant="default"
          loading={rotate.isPending}
          onClick={() => rotate.mutate(undefined, { onSuccess: (w) => setSecret(w.SigningSecret) })}
        >
          Rotate signing secret
        </Button>
        <DeleteWebhook id={id} name={webhook.Name} onDeleted={() => void navigate('/webhooks')} />
      </Group>
      {secret && <SecretOnce title="New signing secret" secret={secret} onDismiss={() => setSecret(null)} />}
      {test.isError && (
        <Alert color="red" role="alert" title="The test was not sent">
          {test.error.message}
        </Alert>
      )}
      {test.data && (
        <Alert
          color={test.data.Outcome === 'success' ? 'green' : 'red'}
          title={`Receiver answered ${test.data.Status ?? 'nothing'} in ${formatLatency(test.data.LatencyMs)}`}
          role="status"
          data-testid="test-result"
        >
          {test.data.Error && <Text size="sm">{test.data.Error}</Text>}
          {test.data.ResponseExcerpt && <Code block>{test.data.ResponseExcerpt}</Code>}
        </Alert>
      )}
    </Stack>
  );
}

function Attempts({ id }: { id: string }) {
  const [page, setPage] = useState(1);
  const attempts = useAttempts(id, startOf(page, ATTEMPTS_PAGE));
  const [opened, setOpened] = useState<Attempt | null>(null);
  return (
    <Stack gap="xs">
      <Title order={3}>Attempts</Title>
      <QueryState query={attempts} label="attempts">
        {(data) => (
          <>
            <ListTable
              label="Attempts"
              striped
              data-testid="attempts"
              minWidth={640}
              rows={data.Results}
              rowKey={(a) => `${a.DeliveryID}-${a.Attempt}`}
              empty="No attempts yet: they appear here as changes match."
              columns={[
                { header: 'Time', cell: (a) => formatTime(a.Time) },
                { header: 'Delivery', cell: (a) => <Code>{a.DeliveryID.slice(0, 12)}</Code> },
                { header: 'Attempt', cell: (a) => a.Attempt },
                { header: 'Outcome', cell: (a) => <Badge color={outcomeColor(a.Outcome)}>{a.Outcome}</Badge> },
                { header: 'Status', cell: (a) => a.Status ?? '—' },
                { header: 'Latency', cell: (a) => formatLatency(a.LatencyMs) },
                { header: 'Error', cell: (a) => a.Error ?? '', wrap: true },
                {
                  header: null,
                  cell: (a) => (
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      onClick={() => setOpened(a)}
                      aria-label={`Details of attempt ${a.Attempt} of delivery ${a.DeliveryID.slice(0, 12)}`}
                    >
                      Details
                    </Button>
                  ),
                },
              ]}
            />
            {data.TotalResultCount > ATTEMPTS_PAGE && (
              <Pagination total={pageCount(data.TotalResultCount, ATTEMPTS_PAGE)} value={page} onChange={setPage} />
            )}
          </>
        )}
      </QueryState>
      <AttemptDetails attempt={opened} onClose={() => setOpened(null)} />
    </Stack>
  );
}

function FailedDeliveries({ id, canReplay }: { id: string; canReplay: boolean }) {
  const failed = useFailed(id);
  const replay = useReplay(id);
  const replayAll = useReplayAll(id);
  const waiting = failed.data?.Results ?? [];
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={3}>Failed deliveries</Title>
        {canReplay && waiting.length > 1 && (
          <Button
            size="compact-sm"
            variant="light"
            loading={replayAll.isPending}
            onClick={() => replayAll.mutate(waiting.map((f) => f.DeliveryID))}
          >
            Replay all {waiting.length}
          </Button>
        )}
      </Group>
      <QueryState query={failed} label="failed deliveries">
        {(data) => (
          <ListTable
            label="Failed deliveries"
            minWidth={640}
            rows={data.Results}
            rowKey={(f) => f.DeliveryID}
            empty="None: every delivery got through or is still being retried."
            columns={[
              { header: 'Failed', cell: (f) => formatTime(f.FailedAt) },
              { header: 'Delivery', cell: (f) => <Code>{f.DeliveryID.slice(0, 12)}</Code> },
              { header: 'Attempts', cell: (f) => f.Attempts },
              { header: 'Last status', cell: (f) => f.LastStatus ?? '—' },
              { header: 'Error', cell: (f) => f.Error ?? '', wrap: true },
              { header: 'Replays', cell: (f) => f.ReplayCount },
              {
                header: null,
                cell: (f) =>
                  canReplay && (
                    <Button
                      size="compact-sm"
                      variant="light"
                      loading={replay.isPending && replay.variables === f.DeliveryID}
                      onClick={() => replay.mutate(f.DeliveryID)}
                      aria-label={`Replay delivery ${f.DeliveryID.slice(0, 12)}`}
                    >
                      Replay
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {replay.isSuccess && (
        <Text size="sm" role="status">
          Replay queued as delivery {replay.data.DeliveryID.slice(0, 12)}.
        </Text>
      )}
      {replayAll.data && (
        <Text size="sm" role="status">
          {replayAll.data.queued} replays queued
          {replayAll.data.refused.length > 0 &&
            `; refused: ${replayAll.data.refused.map((d) => d.slice(0, 12)).join(', ')}`}
          .
        </Text>
      )}
      {replay.isError && (
        <Text size="sm" c="red" role="alert">
          {replay.error.message}
        </Text>
      )}
    </Stack>
  );
}

export function WebhookDetailPage() {
  usePageTitle('Webhook');
  const { id = '' } = useParams();
  const webhook = useWebhook(id);
  const { can } = useSession();
  const writer = can('admin', 'integration');
  return (
    <QueryState query={webhook} label="the webhook">
      {(w) => (
        <Stack>
          <Group justify="space-between">
            <Stack gap={0}>
              <Title order={2}>{w.Name}</Title>
              <Text c="dimmed" size="sm" style={{ overflowWrap: 'anywhere' }}>
                {w.TargetUrl}
              </Text>
            </Stack>
            <Badge size="lg" color={w.Disabled ? 'gray' : 'green'}>
              {w.Disabled ? 'Disabled' : 'Enabled'}
            </Badge>
          </Group>
          {writer && <Actions webhook={w} />}
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Stat label="Fired" value={w.FireCount ?? 0} />
            <Stat label="Errors" value={w.ErrorCount ?? 0} />
            <Stat label="Failure rate" value={failureRate(w.FireCount, w.ErrorCount)} />
            <Stat label="Last status" value={w.LastStatus ?? '—'} />
            <Stat label="Last response time" value={formatLatency(w.LastWebhookResponseTime)} />
            <Stat label="Last success" value={formatTime(w.LastSuccess)} />
          </SimpleGrid>
          <Attempts id={id} />
          <FailedDeliveries id={id} canReplay={writer} />
        </Stack>
      )}
    </QueryState>
  );
}
