import { useEffect, useRef, useState } from 'react';
import { useServerSocket } from '../../server/useServerSocket';
import { Alert, Group, Loader, MultiSelect, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from '../../../api/client';
import { api, invalidate, useGet } from '../../../api/query';
import type { AdminServer, Allocation, Item, List, Node, ServerTransfer, ServerTransferBody } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { ErrorAlert } from '../../../components/QueryState';
import { formatDate } from '../../../lib/format';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.transfers;

export type TransferPhase = 'none' | 'running' | 'succeeded' | 'failed';

/** Where the server's newest transfer stands (`null`: never transferred). */
export function transferPhase(t: ServerTransfer | null | undefined): TransferPhase {
  if (!t) return 'none';
  if (t.successful === null) return 'running';
  return t.successful ? 'succeeded' : 'failed';
}

/** The allocations that may be picked on the target: free ones, minus the primary for the extra list. */
export function freeAllocations(all: Allocation[], exclude: number | null = null): Allocation[] {
  return all.filter((a) => !a.assigned && a.id !== exclude);
}

const label = (a: Allocation) => `${a.alias ?? a.ip}:${a.port}`;

/** The server's newest transfer (`null` when none), polled while one runs. */
export function useLatestTransfer(serverId: number) {
  const path = `${APP}/servers/${serverId}/transfer`;
  return useQuery<ServerTransfer | null, ApiError>({
    queryKey: [path],
    queryFn: async ({ signal }) => {
      try {
        return (await request<Item<ServerTransfer>>('GET', path, { signal })).attributes;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    refetchInterval: (q) => (transferPhase(q.state.data) === 'running' ? 2000 : false),
  });
}

/**
 * Moving a server to another node: pick the node and free allocations there, start, then
 * follow the transfer until the new node reports (the server's page refreshes to show its
 * new node) or it fails; a running transfer can be cancelled.
 */
export function TransferCard({ server }: { server: Pick<AdminServer, 'id' | 'name' | 'node'> & { identifier?: string } }) {
  const client = useQueryClient();
  const transfer = useLatestTransfer(server.id);
  const nodes = attrs(useAppList<Node>('/nodes').data);
  const nodeName = (id: number) => nodes.find((n) => n.id === id)?.name ?? `#${id}`;
  const phase = transferPhase(transfer.data);
  const path = `${APP}/servers/${server.id}/transfer`;

  // When a transfer ends, the server may be on another node now: reload it.
  const previous = useRef<TransferPhase | null>(null);
  useEffect(() => {
    if (previous.current === 'running' && phase !== 'running') {
      void invalidate(client, [`${APP}/servers/${server.id}`, `${APP}/servers?`, `${APP}/nodes`]);
    }
    previous.current = phase;
  }, [phase, client, server.id]);

  if (transfer.error) return <ErrorAlert error={transfer.error} title={s.statusFailed} onRetry={() => void transfer.refetch()} />;
  if (transfer.isPending) return <Loader size="sm" aria-label={strings.app.loading} />;
  const t = transfer.data ?? null;

  if (t && phase === 'running') {
    return (
      <Stack gap="sm" data-testid="transfer-running">
        <Group gap="sm" wrap="nowrap">
          <Loader size="sm" />
          <Text fw={600}>{s.running(nodeName(t.old_node), nodeName(t.new_node))}</Text>
        </Group>
        <Text size="sm" c="dimmed">
          {s.runningHelp} {s.since(formatDate(t.created_at))}
        </Text>
        {server.identifier && <TransferProgress identifier={server.identifier} />}
        <Group justify="flex-end">
          <ConfirmButton
            variant="light"
            title={s.cancel}
            message={s.cancelConfirm}
            confirmLabel={s.cancel}
            onConfirm={async () => {
              await api.delete(path);
              notifications.show({ color: 'green', message: s.cancelled });
              await invalidate(client, [path, `${APP}/servers/${server.id}`]);
            }}
          >
            {s.cancel}
          </ConfirmButton>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      {t && phase === 'succeeded' && (
        <Alert color="green" variant="light" data-testid="transfer-outcome">
          {s.succeeded(nodeName(t.new_node))}
        </Alert>
      )}
      {t && phase === 'failed' && (
        <Alert color="red" variant="light" role="alert" data-testid="transfer-outcome">
          {s.failed(nodeName(t.old_node), nodeName(t.new_node))}
        </Alert>
      )}
      <TransferForm server={server} nodes={nodes.filter((n) => n.id !== server.node)} path={path} />
    </Stack>
  );
}

function TransferForm({ server, nodes, path }: { server: Pick<AdminServer, 'id' | 'name' | 'node'>; nodes: Node[]; path: string }) {
  const client = useQueryClient();
  const [nodeId, setNodeId] = useState<string | null>(null);
  const [primary, setPrimary] = useState<string | null>(null);
  const [additional, setAdditional] = useState<string[]>([]);
  const allocations = useGet<List<Allocation>>(nodeId ? `${APP}/nodes/${nodeId}/allocations?per_page=100&filter[server_id]=` : null);
  const free = freeAllocations(attrs(allocations.data));
  const extra = freeAllocations(attrs(allocations.data), primary ? Number(primary) : null);
  const target = nodes.find((n) => String(n.id) === nodeId);

  if (nodes.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {s.noOtherNode}
      </Text>
    );
  }
  return (
    <>
      <Text size="sm" c="dimmed">
        {s.help}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Select
          label={s.targetNode}
          value={nodeId}
          data={nodes.map((n) => ({ value: String(n.id), label: n.name }))}
          onChange={(v) => {
            setNodeId(v);
            setPrimary(null);
            setAdditional([]);
          }}
        />
        <Select label={s.primary} value={primary} disabled={!nodeId} data={free.map((a) => ({ value: String(a.id), label: label(a) }))} onChange={(v) => {
          setPrimary(v);
          setAdditional((list) => list.filter((x) => x !== v));
        }} />
        <MultiSelect label={s.additional} value={additional} disabled={!nodeId} searchable data={extra.map((a) => ({ value: String(a.id), label: label(a) }))} onChange={setAdditional} />
      </SimpleGrid>
      {nodeId && allocations.data && free.length === 0 && (
        <Text size="sm" c="orange">
          {s.noFree}
        </Text>
      )}
      <Group justify="flex-end">
        <ConfirmButton
          color="blue"
          disabled={!nodeId || !primary}
          title={s.start}
          message={s.confirm(server.name, target?.name ?? '')}
          confirmLabel={s.start}
          onConfirm={async () => {
            await api.post(path, { node_id: Number(nodeId), allocation_id: Number(primary), allocation_additional: additional.map(Number) } satisfies ServerTransferBody);
            notifications.show({ color: 'green', message: s.started });
            await invalidate(client, [path, `${APP}/nodes/${nodeId}/allocations`]);
          }}
        >
          {s.start}
        </ConfirmButton>
      </Group>
    </>
  );
}

/** Terminal colour codes, which wings' transfer log lines carry. */
const ANSI = /\u001b\[[0-9;]*m/g;

/** The newest line of a transfer log, without its colour codes and wings' timestamp prefix. */
export function progressText(line: string): string {
  const plain = line.replace(ANSI, '');
  const at = plain.indexOf(']: ');
  return (at >= 0 ? plain.slice(at + 3) : plain).trim();
}

/**
 * What the source node says while it sends the server (wings' `transfer logs` events on the
 * server's websocket: archiving, bytes sent, verification), newest line only.
 */
function TransferProgress({ identifier }: { identifier: string }) {
  const live = useServerSocket(identifier, true);
  const [last, setLast] = useState<string | null>(null);
  const { onLine } = live;
  useEffect(() => {
    const off = onLine((line, kind) => {
      if (kind === 'transfer') setLast(progressText(line));
    });
    return () => {
      off();
    };
    // The listener set behind `onLine` lives as long as the socket; subscribe once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!last) return null;
  return (
    <Text size="sm" ff="monospace" data-testid="transfer-progress">
      {last}
    </Text>
  );
}
