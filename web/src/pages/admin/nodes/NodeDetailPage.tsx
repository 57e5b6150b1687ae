import { Button, Card, Code, CopyButton, Group, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, invalidate, useGet } from '../../../api/query';
import type { Item, Location, Node } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ResourceBar } from '../../../components/ResourceBar';
import { formatMiB } from '../../../lib/format';
import { navigate, useParam, useSearchParams } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { AllocationsTab } from './AllocationsTab';
import { NodeForm } from './NodeForm';
import { NodeStatus } from './NodeStatus';
import { NodeSystemCard } from './NodeSystem';

const s = strings.admin.nodes;

/** The command an administrator runs on the node (reference §3.6 / README). */
export function configureCommand(panelUrl: string, nodeId: number, key = s.keyPlaceholder): string {
  return `aerie wings configure --panel ${panelUrl} --token ${key} --node ${nodeId}`;
}

/** `/admin/nodes/:node?tab=`: resources, settings, allocations, configuration. */
export default function NodeDetailPage() {
  const id = useParam('node');
  const tab = useSearchParams().get('tab') ?? 'about';
  const path = `${APP}/nodes/${id}`;
  const node = useGet<Item<Node>>(path);
  const locations = attrs(useAppList<Location>('/locations').data);
  const client = useQueryClient();
  return (
    <QueryState query={node}>
      {({ attributes: n }) => (
        <>
          <PageHeader
            title={n.name}
            description={`${n.scheme}://${n.fqdn}:${n.daemon_listen}`}
            actions={
              <>
                <NodeStatus node={n} />
                <ConfirmButton
                  variant="light"
                  title={strings.common.delete}
                  message={strings.common.confirmDelete(n.name)}
                  confirmLabel={strings.common.delete}
                  onConfirm={async () => {
                    await api.delete(path);
                    notifications.show({ color: 'green', message: s.deleted });
                    await invalidate(client, [`${APP}/nodes`]);
                    navigate('/admin/nodes');
                  }}
                >
                  {strings.common.delete}
                </ConfirmButton>
              </>
            }
          />
          <Tabs value={tab} onChange={(t) => navigate(`/admin/nodes/${id}?tab=${t ?? 'about'}`, { replace: true })} keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="about">{s.tabs.about}</Tabs.Tab>
              <Tabs.Tab value="settings">{s.tabs.settings}</Tabs.Tab>
              <Tabs.Tab value="allocations">{s.tabs.allocations}</Tabs.Tab>
              <Tabs.Tab value="configuration">{s.tabs.configuration}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="about">
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Card withBorder padding="md" radius="md">
                  <Text fw={600} mb="sm">
                    {s.resources}
                  </Text>
                  <Stack gap="sm">
                    <ResourceBar label={strings.dashboard.memory} value={s.allocated(formatMiB(n.allocated_resources.memory, '0'), formatMiB(n.memory, strings.common.unlimited))} percent={n.memory ? (n.allocated_resources.memory / n.memory) * 100 : null} />
                    <ResourceBar label={strings.dashboard.disk} value={s.allocated(formatMiB(n.allocated_resources.disk, '0'), formatMiB(n.disk, strings.common.unlimited))} percent={n.disk ? (n.allocated_resources.disk / n.disk) * 100 : null} />
                  </Stack>
                </Card>
                <Card withBorder padding="md" radius="md">
                  <Stack gap={4}>
                    <Text size="sm">{s.uuid}: <span className="aerie-mono">{n.uuid}</span></Text>
                    <Text size="sm">{s.location}: {locations.find((l) => l.id === n.location_id)?.short ?? n.location_id}</Text>
                    <Text size="sm">{s.daemonSftp}: {n.daemon_sftp}</Text>
                    <Text size="sm">{s.daemonBase}: <span className="aerie-mono">{n.daemon_base}</span></Text>
                  </Stack>
                </Card>
                <NodeSystemCard nodeId={n.id} />
              </SimpleGrid>
            </Tabs.Panel>
            <Tabs.Panel value="settings">
              <Card withBorder padding="md" radius="md">
                <NodeForm
                  node={n}
                  locations={locations}
                  onSubmit={async (body) => {
                    await api.patch(path, body);
                    notifications.show({ color: 'green', message: strings.common.saved });
                    await invalidate(client, [`${APP}/nodes`]);
                  }}
                />
              </Card>
            </Tabs.Panel>
            <Tabs.Panel value="allocations">
              <AllocationsTab nodeId={n.id} defaultIp={/^\d+\.\d+\.\d+\.\d+$/.test(n.fqdn) ? n.fqdn : ''} />
            </Tabs.Panel>
            <Tabs.Panel value="configuration">
              <Card withBorder padding="md" radius="md">
                <Text size="sm" mb="sm">
                  {s.configureHelp}
                </Text>
                <Code block data-testid="configure-command">
                  {configureCommand(window.location.origin, n.id)}
                </Code>
                <Group justify="flex-end" mt="sm">
                  <CopyButton value={configureCommand(window.location.origin, n.id)}>
                    {({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? strings.common.copied : strings.common.copy}</Button>}
                  </CopyButton>
                </Group>
              </Card>
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </QueryState>
  );
}
