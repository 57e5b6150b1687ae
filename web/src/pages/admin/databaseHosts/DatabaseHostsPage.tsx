import { useState } from 'react';
import { Button, Modal, Table } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { DatabaseHost, DatabaseHostBody, Node } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FieldsForm } from '../../../components/FieldsForm';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { intInRange } from '../../../lib/validation';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.databaseHosts;

/** `/admin/databases`: the database servers the panel creates server databases on. */
export default function DatabaseHostsPage() {
  const list = useAppList<DatabaseHost>('/database-hosts');
  const nodes = attrs(useAppList<Node>('/nodes').data);
  const [editing, setEditing] = useState<DatabaseHost | 'new' | null>(null);
  const client = useQueryClient();
  const refresh = () => invalidate(client, [`${APP}/database-hosts`]);
  const e = editing === 'new' ? null : editing;
  return (
    <>
      <PageHeader title={s.title} actions={<Button onClick={() => setEditing('new')}>{s.create}</Button>} />
      <QueryState query={list}>
        {(data) => (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{strings.common.name}</Table.Th>
                  <Table.Th>{s.host}</Table.Th>
                  <Table.Th>{s.username}</Table.Th>
                  <Table.Th>{s.node}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs(data).map((h) => (
                  <Table.Tr key={h.id}>
                    <Table.Td>{h.name}</Table.Td>
                    <Table.Td className="aerie-mono">
                      {h.host}:{h.port}
                    </Table.Td>
                    <Table.Td>{h.username}</Table.Td>
                    <Table.Td>{nodes.find((n) => n.id === h.node)?.name ?? '—'}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => setEditing(h)}>
                        {strings.common.edit}
                      </Button>{' '}
                      <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(h.name)} confirmLabel={strings.common.delete} onConfirm={() => api.delete(`${APP}/database-hosts/${h.id}`).then(refresh)}>
                        {strings.common.delete}
                      </ConfirmButton>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {editing !== null && (
        <Modal opened onClose={() => setEditing(null)} title={e ? e.name : s.create} size="lg" centered>
          <FieldsForm
            fields={[
              { name: 'name', label: strings.common.name, required: true },
              { name: 'host', label: s.host, required: true },
              { name: 'port', label: s.port, type: 'number', required: true, validate: (v) => intInRange(v as number, s.port, 1, 65535) },
              { name: 'username', label: s.username, required: true },
              { name: 'password', label: s.password, type: 'password', required: !e },
              { name: 'max_databases', label: s.maxDatabases, type: 'number' },
              { name: 'node_id', label: s.node, type: 'select', options: [{ value: '', label: strings.common.none }, ...nodes.map((n) => ({ value: String(n.id), label: n.name }))] },
            ]}
            initial={{ name: e?.name ?? '', host: e?.host ?? '', port: e?.port ?? 3306, username: e?.username ?? '', password: '', max_databases: e?.max_databases ?? null, node_id: e?.node ? String(e.node) : '' }}
            onCancel={() => setEditing(null)}
            onSubmit={async (v) => {
              const body: DatabaseHostBody = { name: String(v.name), host: String(v.host), port: Number(v.port), username: String(v.username), max_databases: v.max_databases === null ? null : Number(v.max_databases), node_id: v.node_id ? Number(v.node_id) : null };
              if (v.password) body.password = String(v.password);
              if (e) await api.patch(`${APP}/database-hosts/${e.id}`, body);
              else await api.post(`${APP}/database-hosts`, body);
              await refresh();
              setEditing(null);
            }}
          />
        </Modal>
      )}
    </>
  );
}
