import { useState } from 'react';
import { Badge, Button, Modal, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { Item, Location, Node } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { formatMiB } from '../../../lib/format';
import { Link, navigate } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { NodeStatus } from './NodeStatus';
import { NodeForm } from './NodeForm';

const s = strings.admin.nodes;

/** `/admin/nodes`. */
export default function NodesPage() {
  const list = useAppList<Node>('/nodes');
  const locations = attrs(useAppList<Location>('/locations').data);
  const [creating, setCreating] = useState(false);
  const client = useQueryClient();
  return (
    <>
      <PageHeader title={s.title} actions={<Button onClick={() => setCreating(true)}>{s.create}</Button>} />
      <QueryState query={list}>
        {(data) => (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th />
                  <Table.Th>{s.name}</Table.Th>
                  <Table.Th>{s.location}</Table.Th>
                  <Table.Th>{s.memory}</Table.Th>
                  <Table.Th>{s.disk}</Table.Th>
                  <Table.Th>{s.fqdn}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs(data).map((n) => (
                  <Table.Tr key={n.id}>
                    <Table.Td w={32}>
                      <NodeStatus node={n} />
                    </Table.Td>
                    <Table.Td>
                      <Text component={Link} to={`/admin/nodes/${n.id}`} className="aerie-row-link" fw={600} size="sm">
                        {n.name}
                      </Text>{' '}
                      {n.maintenance_mode && <Badge size="xs" color="orange">{s.maintenance}</Badge>}
                    </Table.Td>
                    <Table.Td>{locations.find((l) => l.id === n.location_id)?.short ?? n.location_id}</Table.Td>
                    <Table.Td>{s.allocated(formatMiB(n.allocated_resources.memory, '0'), formatMiB(n.memory, strings.common.unlimited))}</Table.Td>
                    <Table.Td>{s.allocated(formatMiB(n.allocated_resources.disk, '0'), formatMiB(n.disk, strings.common.unlimited))}</Table.Td>
                    <Table.Td className="aerie-mono">
                      {n.scheme}://{n.fqdn}:{n.daemon_listen}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title={s.create} size="lg" centered>
        <NodeForm
          node={null}
          locations={locations}
          onCancel={() => setCreating(false)}
          onSubmit={async (body) => {
            const created = await api.post<Item<Node>>(`${APP}/nodes`, body);
            await invalidate(client, [`${APP}/nodes`]);
            setCreating(false);
            navigate(`/admin/nodes/${created.attributes.id}?tab=allocations`);
          }}
        />
      </Modal>
    </>
  );
}
