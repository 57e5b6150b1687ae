import { Badge, Card, Table, Text, Tooltip } from '@mantine/core';
import { ApiError, errorMessage, request } from '../../../api/client';
import { useGet } from '../../../api/query';
import type { NodeSystem } from '../../../api/types';
import { strings } from '../../../strings';
import { APP } from '../appApi';

const s = strings.admin.nodeSystem;

/** What the node's wings reports (`GET /nodes/{id}/system`); refreshed every minute. */
export function nodeSystemPath(nodeId: number) {
  return `${APP}/nodes/${nodeId}/system`;
}

export const nodeSystemOptions = { retry: false, refetchInterval: 60_000, staleTime: 30_000 } as const;

/** The same query for `useQueries` (one per node on the overview). */
export function nodeSystemQuery(nodeId: number) {
  const path = nodeSystemPath(nodeId);
  return { queryKey: [path] as readonly unknown[], queryFn: ({ signal }: { signal: AbortSignal }) => request<NodeSystem>('GET', path, { signal }), ...nodeSystemOptions };
}

export function useNodeSystem(nodeId: number) {
  return useGet<NodeSystem>(nodeSystemPath(nodeId), nodeSystemOptions);
}

/** Whether an error means the node did not answer (offline) rather than the panel failing. */
export function isOffline(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 502 || e.status === 503);
}

/** The wings version, or an "offline" badge carrying the panel's explanation. */
export function WingsVersion({ data, error }: { data: NodeSystem | undefined; error: unknown }) {
  if (data) return <span className="aerie-mono">{data.version}</span>;
  if (error) {
    return (
      <Tooltip label={errorMessage(error)} multiline w={320}>
        <Badge color={isOffline(error) ? 'red' : 'orange'} variant="light" data-testid="wings-offline">
          {isOffline(error) ? s.offline : strings.common.errorTitle}
        </Badge>
      </Tooltip>
    );
  }
  return <Text span c="dimmed">…</Text>;
}

/** The node detail page's system card. */
export function NodeSystemCard({ nodeId }: { nodeId: number }) {
  const q = useNodeSystem(nodeId);
  const rows: [string, string | number][] = q.data
    ? [
        [s.kernel, q.data.kernel_version],
        [s.architecture, q.data.architecture],
        [s.os, q.data.os],
        [s.cpus, q.data.cpu_count],
      ]
    : [];
  return (
    <Card withBorder padding="md" radius="md">
      <Text fw={600} mb="sm">
        {s.title}
      </Text>
      <Table>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>{s.version}</Table.Td>
            <Table.Td>
              <WingsVersion data={q.data} error={q.error} />
            </Table.Td>
          </Table.Tr>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Td>{k}</Table.Td>
              <Table.Td className="aerie-mono">{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {q.error != null && (
        <Text size="sm" c="dimmed" mt="xs" data-testid="node-system-error">
          {errorMessage(q.error)}
        </Text>
      )}
    </Card>
  );
}
