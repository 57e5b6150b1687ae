import { useState } from 'react';
import { Button, Pagination, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useGet } from '../../../api/query';
import type { AdminServer, List, Node, User } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { StatusBadge } from '../../../components/StatusBadge';
import { Link } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.servers;

export function adminState(sv: Pick<AdminServer, 'status' | 'suspended'>): string {
  if (sv.suspended) return 'suspended';
  return sv.status ?? 'installed';
}

/** `/admin/servers`. */
export default function ServersPage() {
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState('');
  const [debounced] = useDebouncedValue(filter, 250);
  const q = new URLSearchParams({ per_page: '50', page: String(page) });
  if (debounced.trim()) q.set('filter[name]', debounced.trim());
  const list = useGet<List<AdminServer>>(`${APP}/servers?${q.toString()}`, { placeholderData: (p) => p });
  const users = attrs(useAppList<User>('/users').data);
  const nodes = attrs(useAppList<Node>('/nodes').data);
  return (
    <>
      <PageHeader
        title={s.title}
        actions={
          <>
            <TextInput aria-label={strings.common.search} placeholder={strings.common.search} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
            <Button component={Link} to="/admin/servers/new">
              {s.create}
            </Button>
          </>
        }
      />
      <QueryState query={list}>
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing={6} highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{strings.common.name}</Table.Th>
                    <Table.Th>{s.owner}</Table.Th>
                    <Table.Th>{s.node}</Table.Th>
                    <Table.Th>{s.state}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {attrs(data).map((sv) => (
                    <Table.Tr key={sv.id}>
                      <Table.Td>
                        <Text component={Link} to={`/admin/servers/${sv.id}`} className="aerie-row-link" fw={600} size="sm">
                          {sv.name}
                        </Text>
                        <Text size="xs" c="dimmed" className="aerie-mono">
                          {sv.identifier}
                        </Text>
                      </Table.Td>
                      <Table.Td>{users.find((u) => u.id === sv.user)?.username ?? sv.user}</Table.Td>
                      <Table.Td>{nodes.find((n) => n.id === sv.node)?.name ?? sv.node}</Table.Td>
                      <Table.Td>
                        <StatusBadge state={adminState(sv)} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {data.data.length === 0 && <Text c="dimmed">{strings.common.empty}</Text>}
            {(data.meta?.pagination?.total_pages ?? 1) > 1 && <Pagination mt="md" total={data.meta?.pagination?.total_pages ?? 1} value={page} onChange={setPage} />}
          </>
        )}
      </QueryState>
    </>
  );
}
