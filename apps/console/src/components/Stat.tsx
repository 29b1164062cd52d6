import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One figure with its label; the label names it for screen readers too. */
export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Paper withBorder p="sm" role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={`stat-${label}`}>
        {value}
      </Text>
    </Paper>
  );
}
