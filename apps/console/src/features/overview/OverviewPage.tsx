import { Anchor, Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { QueryState } from '../../components/QueryState';
import { Stat } from '../../components/Stat';
import { api } from '../../lib/api';
import { failureRate, formatTime } from '../../lib/format';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/page-title';

const REFRESH_MS = 5_000;

/** The figures today's APIs give; admin-only ones (breakers, blocklist) only for admins. */
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
    queryFn: () => api.webhooks({ pagesize: 10, start: 1, order: 'LastWebhookResponseTime desc,FireCount desc' }),
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
  const open = breakers.data?.Results.filter((b) => b.State !== 'closed').length;
  const parked = breakers.data?.Results.reduce((sum, b) => sum + b.Parked, 0);
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Webhooks" value={total.data?.TotalResultCount ?? '…'} />
        {admin && <Stat label="Open breakers" value={open ?? '…'} />}
        {admin && <Stat label="Parked deliveries" value={parked ?? '…'} />}
        {admin && <Stat label="Blocked URLs" value={blocked.data?.TotalResultCount ?? '…'} />}
      </SimpleGrid>
      <Title order={3}>Recent deliveries by webhook</Title>
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
              <Table aria-label="Recent deliveries by webhook">
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
