import { Anchor, Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { Stat } from '../../components/Stat';
import { api, type Webhook } from '../../lib/api';
import { failureRate, formatLatency, formatTime } from '../../lib/format';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/page-title';
import { DeliveryFigures } from './DeliveryFigures';

const REFRESH_MS = 5_000;
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
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Recent attempts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Webhook</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Latency</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attempts.map((a) => (
                  <Table.Tr key={`${a.DeliveryID}-${a.Attempt}`}>
                    <Table.Td>{formatTime(a.Time)}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/webhooks/${a.webhook.ObjectUUID}`}>
                        {a.webhook.Name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={a.Outcome === 'success' ? 'green' : 'red'}>{a.Outcome}</Badge>
                    </Table.Td>
                    <Table.Td>{a.Status ?? '—'}</Table.Td>
                    <Table.Td>{formatLatency(a.LatencyMs)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </>
  );
}

/** The tenant's figures; admin-only ones (breakers, blocklist) only for admins. */
export function OverviewPage() {
  usePageTitle('Overview');
  const { can } = useSession();
  const admin = can('admin');
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
  const breakers = useQuery({
    queryKey: ['overview', 'breakers'],
    queryFn: api.breakers,
    enabled: admin,
    refetchInterval: REFRESH_MS,
  });
  const blocked = useQuery({
    queryKey: ['overview', 'blocked'],
    queryFn: api.blocklist,
    enabled: admin,
    refetchInterval: REFRESH_MS,
  });
  const queues = useQuery({
    queryKey: ['overview', 'queues'],
    queryFn: api.deliveryQueues,
    enabled: admin,
    refetchInterval: REFRESH_MS,
  });
  const queued = queues.data?.Results.reduce((sum, w) => sum + w.Queued, 0);
  const open = breakers.data?.Results.filter((b) => b.State !== 'closed').length;
  const parked = breakers.data?.Results.reduce((sum, b) => sum + b.Parked, 0);
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        <Stat label="Webhooks" value={total.data?.TotalResultCount ?? '…'} />
        {admin && <Stat label="Open breakers" value={open ?? '…'} />}
        {admin && <Stat label="Parked deliveries" value={parked ?? '…'} />}
        {admin && <Stat label="Blocked URLs" value={blocked.data?.TotalResultCount ?? '…'} />}
        {admin && <Stat label="Queued deliveries" value={queued ?? '…'} />}
      </SimpleGrid>
      <DeliveryFigures />
      <RecentAttempts webhooks={busiest.data?.Results ?? []} />
      <Title order={3}>Busiest webhooks</Title>
      <QueryState query={busiest} label="webhooks">
        {(data) =>
          data.Results.length === 0 ? (
            <Text c="dimmed">
              No webhooks yet.{' '}
              <Anchor component={Link} to="/webhooks/new">
                Create the first one
              </Anchor>
              .
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={600}>
              <Table aria-label="Busiest webhooks">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Webhook</Table.Th>
                    <Table.Th>Fired</Table.Th>
                    <Table.Th>Failure rate</Table.Th>
                    <Table.Th>Last status</Table.Th>
                    <Table.Th>Last success</Table.Th>
                    <Table.Th>Last failure</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.Results.map((w) => (
                    <Table.Tr key={w.ObjectUUID}>
                      <Table.Td>
                        <Anchor component={Link} to={`/webhooks/${w.ObjectUUID}`}>
                          {w.Name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{w.FireCount ?? 0}</Table.Td>
                      <Table.Td>{failureRate(w.FireCount, w.ErrorCount)}</Table.Td>
                      <Table.Td>
                        {w.LastStatus === null ? (
                          '—'
                        ) : (
                          <Badge color={w.LastStatus < 300 ? 'green' : 'red'}>{w.LastStatus}</Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{formatTime(w.LastSuccess)}</Table.Td>
                      <Table.Td>{formatTime(w.LastFailure)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
