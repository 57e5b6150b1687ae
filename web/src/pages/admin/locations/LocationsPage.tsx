import { useState } from 'react';
import { Button, Modal, Table } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { Location } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FieldsForm } from '../../../components/FieldsForm';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.locations;

/** `/admin/locations`. */
export default function LocationsPage() {
  const list = useAppList<Location>('/locations');
  const [editing, setEditing] = useState<Location | 'new' | null>(null);
  const client = useQueryClient();
  const refresh = () => invalidate(client, [`${APP}/locations`]);
  return (
    <>
      <PageHeader title={s.title} actions={<Button onClick={() => setEditing('new')}>{s.create}</Button>} />
      <QueryState query={list}>
        {(data) => (
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{strings.common.id}</Table.Th>
                  <Table.Th>{s.short}</Table.Th>
                  <Table.Th>{s.long}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs(data).map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{l.id}</Table.Td>
                    <Table.Td>{l.short}</Table.Td>
                    <Table.Td>{l.long}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => setEditing(l)}>
                        {strings.common.edit}
                      </Button>{' '}
                      <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(l.short)} confirmLabel={strings.common.delete} onConfirm={() => api.delete(`${APP}/locations/${l.id}`).then(refresh)}>
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
        <Modal opened onClose={() => setEditing(null)} title={editing === 'new' ? s.create : editing.short} centered>
          <FieldsForm
            columns={1}
            fields={[
              { name: 'short', label: s.short, required: true, validate: (v) => (String(v).length > 60 ? strings.validation.maxString(s.short, 60) : null) },
              { name: 'long', label: s.long },
            ]}
            initial={{ short: editing === 'new' ? '' : editing.short, long: editing === 'new' ? '' : (editing.long ?? '') }}
            onCancel={() => setEditing(null)}
            onSubmit={async (v) => {
              const body = { short: String(v.short).trim(), long: v.long ? String(v.long) : null };
              if (editing === 'new') await api.post(`${APP}/locations`, body);
              else await api.patch(`${APP}/locations/${editing.id}`, body);
              await refresh();
              setEditing(null);
            }}
          />
        </Modal>
      )}
    </>
  );
}
