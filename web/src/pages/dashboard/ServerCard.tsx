import { Card, Group, Stack, Text } from '@mantine/core';
import { useGet } from '../../api/query';
import type { ClientServer, Item, ServerStats } from '../../api/types';
import { ResourceBar } from '../../components/ResourceBar';
import { StatusBadge } from '../../components/StatusBadge';
import { formatBytes, formatMiB, formatPercent } from '../../lib/format';
import { Link } from '../../router';
import { strings } from '../../strings';

/** The server's state for display: install/suspension states win over the power state. */
export function displayState(server: Pick<ClientServer, 'status' | 'is_suspended' | 'is_installing' | 'is_transferring'>, power?: string): string {
  if (server.is_suspended) return 'suspended';
  if (server.is_transferring) return 'transferring';
  if (server.status) return server.status;
  if (server.is_installing) return 'installing';
  return power ?? 'unknown';
}

export function primaryAddress(server: ClientServer): string | null {
  const a = server.relationships?.allocations?.data.find((x) => x.attributes.is_default)?.attributes;
  return a ? `${a.ip_alias ?? a.ip}:${a.port}` : null;
}

/** One server on the dashboard, its resources refreshed every 10 seconds. */
export function ServerCard({ server }: { server: ClientServer }) {
  const blocked = server.is_suspended || server.is_installing || server.is_transferring || server.status !== null;
  const stats = useGet<Item<ServerStats>>(`/api/client/servers/${server.identifier}/resources`, {
    refetchInterval: 10_000,
    enabled: !server.is_suspended,
    retry: false,
  });
  const r = stats.data?.attributes.resources;
  const state = displayState(server, blocked ? undefined : stats.data?.attributes.current_state);
  const memLimit = server.limits.memory * 1024 * 1024;
  const diskLimit = server.limits.disk * 1024 * 1024;
  const address = primaryAddress(server);
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-label={server.name}>
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Text fw={600} component={Link} to={`/server/${server.identifier}`} className="aerie-row-link" truncate>
          {server.name}
        </Text>
        <StatusBadge state={state} />
      </Group>
      {address && (
        <Text size="xs" c="dimmed" className="aerie-mono" mb="xs">
          {address}
        </Text>
      )}
      <Stack gap={6}>
        <ResourceBar
          label={strings.dashboard.cpu}
          value={`${formatPercent(r?.cpu_absolute)}${server.limits.cpu ? ` / ${server.limits.cpu}%` : ''}`}
          percent={r && server.limits.cpu ? (r.cpu_absolute / server.limits.cpu) * 100 : null}
        />
        <ResourceBar
          label={strings.dashboard.memory}
          value={`${formatBytes(r?.memory_bytes)} / ${formatMiB(server.limits.memory, strings.common.unlimited)}`}
          percent={r && memLimit ? (r.memory_bytes / memLimit) * 100 : null}
        />
        <ResourceBar
          label={strings.dashboard.disk}
          value={`${formatBytes(r?.disk_bytes)} / ${formatMiB(server.limits.disk, strings.common.unlimited)}`}
          percent={r && diskLimit ? (r.disk_bytes / diskLimit) * 100 : null}
        />
      </Stack>
    </Card>
  );
}
