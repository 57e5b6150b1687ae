import { Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Node } from '../../../api/types';
import { strings } from '../../../strings';

/**
 * Whether the browser can reach the node's wings. The panel has no node-status route and
 * wings sends no CORS headers, so this is an opaque `no-cors` probe of `/api/health`:
 * it resolves when something answered, and rejects when nothing did.
 */
export function nodeOnlineQuery(node: Pick<Node, 'scheme' | 'fqdn' | 'daemon_listen'>) {
  return {
    queryKey: ['node-online', node.scheme, node.fqdn, node.daemon_listen],
    queryFn: async () => {
      try {
        await fetch(`${node.scheme}://${node.fqdn}:${node.daemon_listen}/api/health`, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(5000) });
        return true;
      } catch {
        return false;
      }
    },
    refetchInterval: 30_000,
    retry: false,
  } as const;
}

export function useNodeOnline(node: Pick<Node, 'scheme' | 'fqdn' | 'daemon_listen'>) {
  return useQuery(nodeOnlineQuery(node));
}

export function NodeStatus({ node }: { node: Node }) {
  const q = useNodeOnline(node);
  const label = q.data === undefined ? strings.app.loading : q.data ? strings.status.running : strings.admin.overview.unreachable;
  const color = q.data === undefined ? 'var(--mantine-color-gray-5)' : q.data ? 'var(--mantine-color-green-6)' : 'var(--mantine-color-red-6)';
  return (
    <Tooltip label={label}>
      <span role="img" aria-label={label} data-online={q.data} style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: color }} />
    </Tooltip>
  );
}
