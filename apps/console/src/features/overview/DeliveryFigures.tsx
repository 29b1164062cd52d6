import { Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { QueryState } from '../../components/QueryState';
import { Stat } from '../../components/Stat';
import type { DeliveryOverview } from '../../lib/api';
import { formatLatency, formatRate, formatRatio } from '../../lib/format';
import { useOverview } from './queries';

const HEIGHT = 60;

/** Attempts per minute as bars, failures in red on top; the figures are in the label for screen readers. */
function PerMinute({ overview }: { overview: DeliveryOverview }) {
  const minutes = overview.PerMinute;
  const peak = Math.max(1, ...minutes.map((m) => m.Attempts));
  const width = minutes.length * 4;
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
        Attempts per minute
      </Text>
      <svg
        role="img"
        aria-label={`Attempts per minute over the last ${overview.WindowMinutes} minutes: ${overview.Attempts} attempts, ${overview.Failures} failed, at most ${peak} in a minute`}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        preserveAspectRatio="none"
        width="100%"
        height={HEIGHT}
      >
        {minutes.map((m, i) => {
          const total = (m.Attempts / peak) * HEIGHT;
          const failed = (m.Failures / peak) * HEIGHT;
          return (
            <g key={m.Minute}>
              <rect x={i * 4} y={HEIGHT - total} width={3} height={total - failed} fill="var(--mantine-color-teal-7)" />
              <rect x={i * 4} y={HEIGHT - failed} width={3} height={failed} fill="var(--mantine-color-red-7)" />
            </g>
          );
        })}
      </svg>
    </Paper>
  );
}

/** The tenant's delivery figures over the last hour, from the registry's overview; refreshed live. */
export function DeliveryFigures() {
  const overview = useOverview();
  return (
    <Stack gap="xs">
      <Title order={3}>Deliveries in the last hour</Title>
      <QueryState query={overview} label="delivery figures">
        {(o) => (
          <>
            <SimpleGrid cols={{ base: 2, sm: 5 }}>
              <Stat label="Attempts" value={o.Attempts} />
              <Stat label="Rate" value={formatRate(o.PerSecond)} />
              <Stat label="Success ratio" value={formatRatio(o.SuccessRatio)} />
              <Stat label="p50 latency" value={formatLatency(o.LatencyP50Ms)} />
              <Stat label="p99 latency" value={formatLatency(o.LatencyP99Ms)} />
            </SimpleGrid>
            <PerMinute overview={o} />
            {o.Sampled && (
              <Text size="sm" c="dimmed">
                Busy hour: the figures cover the newest attempts only.
              </Text>
            )}
          </>
        )}
      </QueryState>
    </Stack>
  );
}
