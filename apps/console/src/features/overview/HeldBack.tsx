import { Badge, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import { Stat } from '../../components/Stat';
import { formatTime } from '../../lib/format';
import { useOverview } from './queries';

const UNAVAILABLE = 'unavailable';

/**
 * What holds deliveries back: open breakers, parked jobs and blocked URLs from the dispatcher, and
 * (for admins) the queue between each pair of services. A part the stack did not report in time
 * says so instead of showing a stale or zero figure.
 */
export function HeldBack({ webhookCount }: { webhookCount: number | undefined }) {
  const overview = useOverview();
  return (
    <QueryState query={overview} label="the overview">
      {({ Dispatch, Queues }) => (
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Stat label="Webhooks" value={webhookCount ?? '…'} />
            <Stat label="Open breakers" value={Dispatch.Available ? Dispatch.OpenBreakers.length : UNAVAILABLE} />
            <Stat label="Parked jobs" value={Dispatch.ParkedJobs ?? UNAVAILABLE} />
            <Stat label="Blocked URLs" value={Dispatch.BlockedUrls ?? UNAVAILABLE} />
          </SimpleGrid>
          {!Dispatch.Available && (
            <Text size="sm" c="dimmed" role="status">
              The dispatcher did not answer in time; breakers, parked jobs and blocks show again when it does.
            </Text>
          )}
          {Dispatch.OpenBreakers.length > 0 && (
            <>
              <Title order={3}>Open breakers</Title>
              <ListTable
                label="Open breakers"
                rows={Dispatch.OpenBreakers}
                rowKey={(b) => b.Origin}
                empty={null}
                columns={[
                  { header: 'Origin', cell: (b) => b.Origin, wrap: true },
                  { header: 'State', cell: (b) => <Badge color="red">{b.State}</Badge> },
                  { header: 'Parked', cell: (b) => b.Parked },
                  { header: 'Next probe', cell: (b) => (b.NextProbeAt ? formatTime(b.NextProbeAt) : 'under way') },
                ]}
              />
            </>
          )}
          {Queues.length > 0 && (
            <>
              <Title order={3}>Queues between services</Title>
              <ListTable
                label="Queues between services"
                rows={Queues}
                rowKey={(q) => `${q.Stream}/${q.Consumer}`}
                empty={null}
                columns={[
                  { header: 'Hop', cell: (q) => q.Hop },
                  { header: 'Stream / consumer', cell: (q) => `${q.Stream} / ${q.Consumer}` },
                  { header: 'Waiting', cell: (q) => q.Pending ?? UNAVAILABLE },
                  { header: 'In work', cell: (q) => q.AckPending ?? UNAVAILABLE },
                ]}
              />
            </>
          )}
        </Stack>
      )}
    </QueryState>
  );
}
