import { useState } from 'react';
import { Button, Modal, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { Nest } from '../../../api/types';
import { FieldsForm } from '../../../components/FieldsForm';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { Link } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.nests;

/** `/admin/nests`. */
export default function NestsPage() {
  const list = useAppList<Nest>('/nests');
  const [creating, setCreating] = useState(false);
  const client = useQueryClient();
  return (
    <>
      <PageHeader title={s.title} actions={<Button onClick={() => setCreating(true)}>{s.createNest}</Button>} />
      <QueryState query={list}>
        {(data) => (
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{strings.common.name}</Table.Th>
                  <Table.Th>{strings.common.description}</Table.Th>
                  <Table.Th>{s.author}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs(data).map((n) => (
                  <Table.Tr key={n.id}>
                    <Table.Td>
                      <Text component={Link} to={`/admin/nests/${n.id}`} className="aerie-row-link" fw={600} size="sm">
                        {n.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2}>
                        {n.description}
                      </Text>
                    </Table.Td>
                    <Table.Td>{n.author}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title={s.createNest} centered>
        <FieldsForm
          columns={1}
          fields={[
            { name: 'name', label: strings.common.name, required: true },
            { name: 'description', label: strings.common.description, type: 'textarea' },
          ]}
          initial={{ name: '', description: '' }}
          onCancel={() => setCreating(false)}
          submitLabel={strings.common.create}
          onSubmit={async (v) => {
            await api.post(`${APP}/nests`, { name: v.name, description: v.description || null });
            await invalidate(client, [`${APP}/nests`]);
            setCreating(false);
          }}
        />
      </Modal>
    </>
  );
}
