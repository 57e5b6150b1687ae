import { Group, Progress, Text } from '@mantine/core';
import { clampPercent } from '../lib/format';

/** A labelled bar: `value` shown as text, `percent` as the fill (red above 90%). */
export function ResourceBar({ label, value, percent }: { label: string; value: string; percent: number | null }) {
  const p = percent === null ? 0 : clampPercent(percent);
  return (
    <div>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" c="dimmed">
          {label}
        </Text>
        <Text size="xs" fw={500} style={{ whiteSpace: 'nowrap' }}>
          {value}
        </Text>
      </Group>
      <Progress value={p} size="sm" color={p > 90 ? 'red' : p > 70 ? 'yellow' : 'blue'} aria-label={`${label}: ${value}`} />
    </div>
  );
}
