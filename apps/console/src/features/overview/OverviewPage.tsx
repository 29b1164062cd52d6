import { Anchor, Badge, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { api, type Webhook } from '../../lib/api';
import { failureRate, formatLatency, formatTime } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { DeliveryFigures } from './DeliveryFigures';
import { HeldBack } from './HeldBack';
import { REFRESH_MS } from './queries';

const RECENT = 10;

/**
 * The newest attempts across the busiest webhooks: the API keeps a log per webhook, so this merges
 * the first page of each (at most ten small requests).
 */
function RecentAttempts({ webhooks }: { webhooks: Webhook[] }) {
  const fired = webhooks.filter((w) => (w.FireCount ?? 0) > 0);
  const recent = useQuery({
    queryKey: ['overview', 'recent', fired.map((w) => w.ObjectUUID)],
    queryFn: async () => {
      const pages = await Promise.all(
        fired.map(async (w) => ({ w, page: await api.attempts(w.ObjectUUID, 1, RECENT) })),
      );
      return pages
        .flatMap(({ w, page }) => page.Results.map((attempt) => ({ ...attempt, webhook: w })))
        .sort((a, b) => b.Time.localeCompare(a.Time))
        .slice(0, RECENT);
    },
    enabled: fired.length > 0,
    refetchInterval: REFRESH_MS,
  });
  if (fired.length === 0) return null;
  return (
    <>
      <Title order={3}>Recent attempts</Title>
      <QueryState query={recent} label="recent attempts">
        {(attempts) => (
          <ListTable
            label="Recent attempts"
            rows={attempts}
            rowKey={(a) => `${a.DeliveryID}-${a.Attempt}`}
            empty="No attempts in the busiest webhooks' logs."
            columns={[
              { header: 'Time', cell: (a) => formatTime(a.Time) },
              {
                header: 'Webhook',
                cell: (a) => (
                  <Anchor component={Link} to={`/webhooks/${a.webhook.ObjectUUID}`}>
                    {a.webhook.Name}
                  </Anchor>
                ),
              },
              {
                header: 'Outcome',
                cell: (a) => <Badge color={a.Outcome === 'success' ? 'green' : 'red'}>{a.Outcome}</Badge>,
              },
              { header: 'Status', cell: (a) => a.Status ?? '—' },
              { header: 'Latency', cell: (a) => formatLatency(a.LatencyMs) },
            ]}
          />
        )}
      </QueryState>
    </>
  );
}

/** The tenant's figures, refreshed live; the queues between services only for admins (the API decides). */
export function OverviewPage() {
  usePageTitle('Overview');
  const total = useQuery({
    queryKey: ['overview', 'count'],
    queryFn: () => api.webhooks({ pagesize: 1, start: 1 }),
    refetchInterval: REFRESH_MS,
  });
  const busiest = useQuery({
    queryKey: ['overview', 'busiest'],
    queryFn: () => api.webhooks({ pagesize: 10, start: 1, order: 'FireCount desc,Name' }),
    refetchInterval: REFRESH_MS,
  });
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <HeldBack webhookCount={total.data?.TotalResultCount} />
      <DeliveryFigures />
      <RecentAttempts webhooks={busiest.data?.Results ?? []} />
      <Title order={3}>Busiest webhooks</Title>
      <QueryState query={busiest} label="webhooks">
        {(data) => (
          <ListTable
            label="Busiest webhooks"
            rows={data.Results}
            rowKey={(w) => w.ObjectUUID}
            empty={
              <>
                No webhooks yet.{' '}
                <Anchor component={Link} to="/webhooks/new">
                  Create the first one
                </Anchor>
                .
              </>
            }
            columns={[
              {
                header: 'Webhook',
                cell: (w) => (
                  <Anchor component={Link} to={`/webhooks/${w.ObjectUUID}`}>
                    {w.Name}
                  </Anchor>
                ),
              },
              { header: 'Fired', cell: (w) => w.FireCount ?? 0 },
              { header: 'Failure rate', cell: (w) => failureRate(w.FireCount, w.ErrorCount) },
              {
                header: 'Last status',
                cell: (w) =>
                  w.LastStatus === null ? (
                    '—'
                  ) : (
                    <Badge color={w.LastStatus < 300 ? 'green' : 'red'}>{w.LastStatus}</Badge>
                  ),
              },
              { header: 'Last success', cell: (w) => formatTime(w.LastSuccess) },
              { header: 'Last failure', cell: (w) => formatTime(w.LastFailure) },
            ]}
          />
        )}
      </QueryState>
    </Stack>
  );
}
