import { useState } from 'react';
import { Badge, Button, Card, Group, Select, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { AdminServer, Mount } from '../../../api/types';
import { FormError, QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { mountsForServer } from '../mounts/mountForm';

const s = strings.admin.mounts;

/** The mounts attached to a server (and whether wings mounts them), attach and detach. */
export function ServerMountsCard({ server }: { server: Pick<AdminServer, 'id' | 'node' | 'egg'> }) {
  const list = useAppList<Mount>('/mounts', { include: 'eggs,nodes,servers' });
  const client = useQueryClient();
  const [pick, setPick] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(fn: () => Promise<unknown>, message: string) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      notifications.show({ color: 'green', message });
      setPick(null);
    } catch (e) {
      setError(e);
    } finally {
      await invalidate(client, [`${APP}/mounts`]);
      setBusy(false);
    }
  }
  return (
    <Card withBorder padding="md" radius="md" mt="md">
      <Text fw={600}>{s.serverCard}</Text>
      <Text size="sm" c="dimmed" mb="sm">
        {s.serverCardHelp}
      </Text>
      <QueryState query={list}>
        {(data) => {
          const { attached, available } = mountsForServer(attrs(data), server);
          return (
            <Stack gap="sm">
              <FormError error={error} />
              {attached.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {s.serverNone}
                </Text>
              ) : (
                <Table.ScrollContainer minWidth={480}>
                  <Table verticalSpacing={4}>
                    <Table.Tbody>
                      {attached.map(({ mount, applies }) => (
                        <Table.Tr key={mount.id}>
                          <Table.Td fw={600}>{mount.name}</Table.Td>
                          <Table.Td className="aerie-mono">
                            {mount.source} → {mount.target}
                            {mount.read_only ? ` (${s.readOnly.toLowerCase()})` : ''}
                          </Table.Td>
                          <Table.Td>
                            <Badge size="sm" variant="light" color={applies ? 'green' : 'orange'}>
                              {applies ? s.serverApplied : s.serverNotApplied}
                            </Badge>
                          </Table.Td>
                          <Table.Td align="right">
                            <Button size="xs" variant="light" color="red" loading={busy} onClick={() => void run(() => api.delete(`${APP}/mounts/${mount.id}/servers/${server.id}`), s.detached)}>
                              {s.serverDetach}
                            </Button>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
              {available.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {s.serverNoneAvailable}
                </Text>
              ) : (
                <Group align="flex-end">
                  <Select label={s.serverPick} searchable value={pick} onChange={setPick} data={available.map((m) => ({ value: String(m.id), label: `${m.name} (${m.source} → ${m.target})` }))} style={{ flex: 1 }} />
                  <Button disabled={pick === null} loading={busy} onClick={() => void run(() => api.post(`${APP}/mounts/${pick}/servers`, { servers: [server.id] }), s.attached)}>
                    {s.serverAttach}
                  </Button>
                </Group>
              )}
            </Stack>
          );
        }}
      </QueryState>
    </Card>
  );
}
