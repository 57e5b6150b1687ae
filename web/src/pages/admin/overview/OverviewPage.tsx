import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { useGet } from '../../../api/query';
import type { AdminServer, List, Node, User } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { nodeOnlineQuery } from '../nodes/NodeStatus';
import { nodeSystemQuery, WingsVersion } from '../nodes/NodeSystem';
import { adminState } from '../servers/ServersPage';

const s = strings.admin.overview;

interface Health {
  status: string;
  version: string;
  checks: Record<string, { ok: boolean; detail?: string; error?: string }>;
}

/** `/admin`: nodes online, servers by state, versions. */
export default function OverviewPage() {
  const nodes = attrs(useAppList<Node>('/nodes').data);
  const servers = useGet<List<AdminServer>>(`${APP}/servers?per_page=100`);
  const users = useGet<List<User>>(`${APP}/users?per_page=1`);
  const health = useGet<Health>('/api/health', { retry: false });
  const byState = new Map<string, number>();
  for (const sv of attrs(servers.data)) byState.set(adminState(sv), (byState.get(adminState(sv)) ?? 0) + 1);
  const totalServers = servers.data?.meta?.pagination?.total ?? servers.data?.data.length ?? 0;
  return (
    <>
      <PageHeader title={strings.admin.title} />
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
        <Card withBorder padding="md" radius="md">
          <Text size="xs" c="dimmed">
            {s.nodesOnline}
          </Text>
          <NodesOnline nodes={nodes} />
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text size="xs" c="dimmed">
            {s.servers}
          </Text>
          <Text fw={700} fz={28}>
            {totalServers}
          </Text>
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text size="xs" c="dimmed">
            {s.users}
          </Text>
          <Text fw={700} fz={28}>
            {users.data?.meta?.pagination?.total ?? '—'}
          </Text>
        </Card>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="sm">
            {s.byState}
          </Title>
          <Stack gap="xs">
            {[...byState.entries()].map(([state, n]) => (
              <Group key={state} justify="space-between">
                <StatusBadge state={state} />
                <Text fw={600}>{n}</Text>
              </Group>
            ))}
            {byState.size === 0 && <Text c="dimmed">{strings.common.empty}</Text>}
          </Stack>
        </Card>
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="sm">
            {s.versions}
          </Title>
          <Table>
            <Table.Tbody>
              <Table.Tr>
                <Table.Td>{s.panelVersion}</Table.Td>
                <Table.Td className="aerie-mono">{health.data?.version ?? '—'}</Table.Td>
              </Table.Tr>
              <NodeVersions nodes={nodes} />
              {Object.entries(health.data?.checks ?? {}).map(([name, c]) => (
                <Table.Tr key={name}>
                  <Table.Td>{name}</Table.Td>
                  <Table.Td>
                    <Badge color={c.ok ? 'green' : 'red'} variant="light">
                      {c.detail ?? (c.ok ? strings.common.ok : c.error)}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
    </>
  );
}

function NodesOnline({ nodes }: { nodes: Node[] }) {
  const probes = useQueries({ queries: nodes.map((n) => nodeOnlineQuery(n)) });
  const online = probes.filter((p) => p.data === true).length;
  return (
    <Text fw={700} fz={28} data-testid="nodes-online">
      {online} / {nodes.length}
    </Text>
  );
}

/** One row per node: its wings version, or "offline" when it does not answer. */
function NodeVersions({ nodes }: { nodes: Node[] }) {
  const systems = useQueries({ queries: nodes.map((n) => nodeSystemQuery(n.id)) });
  return (
    <>
      {nodes.map((n, i) => (
        <Table.Tr key={`node-${n.id}`} data-testid={`wings-version-${n.id}`}>
          <Table.Td>{s.wingsVersion(n.name)}</Table.Td>
          <Table.Td>
            <WingsVersion data={systems[i]?.data} error={systems[i]?.error} />
          </Table.Td>
        </Table.Tr>
      ))}
    </>
  );
}
