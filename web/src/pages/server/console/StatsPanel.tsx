import { Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { Sparkline } from '../../../components/Sparkline';
import { formatBytes, formatMiB, formatPercent, formatUptime } from '../../../lib/format';
import { strings } from '../../../strings';
import { primaryAddress } from '../../dashboard/ServerCard';
import { useServer } from '../ServerContext';

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <Card withBorder padding="sm" radius="md">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} size="sm" className="aerie-mono" truncate>
        {value}
      </Text>
      {sub && (
        <Text size="xs" c="dimmed">
          {sub}
        </Text>
      )}
    </Card>
  );
}

/** Live numbers and the CPU, memory and network charts of the console page. */
export function StatsPanel() {
  const { live, server } = useServer();
  const s = live.stats;
  const running = live.state === 'running' || live.state === 'starting';
  const addr = primaryAddress(server);
  const rx = live.history.rx[live.history.rx.length - 1] ?? 0;
  const tx = live.history.tx[live.history.tx.length - 1] ?? 0;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 2 }} spacing="xs">
        {addr && <Stat label={strings.console.address} value={addr} />}
        <Stat label={strings.console.uptime} value={running && s ? formatUptime(s.uptime) : '—'} />
        <Stat label={strings.console.cpu} value={formatPercent(s?.cpu_absolute)} sub={server.limits.cpu ? `/ ${server.limits.cpu}%` : strings.common.unlimited} />
        <Stat label={strings.console.memory} value={formatBytes(s?.memory_bytes)} sub={`/ ${formatMiB(server.limits.memory, strings.common.unlimited)}`} />
        <Stat label={strings.console.disk} value={formatBytes(s?.disk_bytes)} sub={`/ ${formatMiB(server.limits.disk, strings.common.unlimited)}`} />
        <Stat label={strings.console.network} value={`↓ ${formatBytes(rx)}/s`} sub={`↑ ${formatBytes(tx)}/s`} />
      </SimpleGrid>
      <Chart title={strings.console.cpu} label={strings.console.chartCpu} value={formatPercent(s?.cpu_absolute)}>
        <Sparkline label={strings.console.chartCpu} series={[{ values: live.history.cpu, color: 'var(--mantine-color-blue-5)' }]} max={server.limits.cpu || undefined} />
      </Chart>
      <Chart title={strings.console.memory} label={strings.console.chartMemory} value={formatBytes(s?.memory_bytes)}>
        <Sparkline label={strings.console.chartMemory} series={[{ values: live.history.memory, color: 'var(--mantine-color-teal-5)' }]} max={server.limits.memory ? server.limits.memory * 1024 * 1024 : undefined} />
      </Chart>
      <Chart title={strings.console.network} label={strings.console.chartNetwork} value={`↓ ${formatBytes(rx)}/s ↑ ${formatBytes(tx)}/s`}>
        <Sparkline
          label={strings.console.chartNetwork}
          series={[
            { values: live.history.rx, color: 'var(--mantine-color-violet-5)' },
            { values: live.history.tx, color: 'var(--mantine-color-orange-5)' },
          ]}
        />
      </Chart>
    </Stack>
  );
}

function Chart({ title, value, children }: { title: string; label: string; value: string; children: React.ReactNode }) {
  return (
    <Card withBorder padding="sm" radius="md">
      <Group justify="space-between" mb={4}>
        <Text size="xs" c="dimmed">
          {title}
        </Text>
        <Text size="xs" className="aerie-mono">
          {value}
        </Text>
      </Group>
      {children}
    </Card>
  );
}
