import { useState } from 'react';
import { Button, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/client';
import { api, invalidate, useGet } from '../../../api/query';
import type { Egg, Item, List, Nest } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { Link, useParam } from '../../../router';
import { strings } from '../../../strings';
import { APP } from '../appApi';
import { downloadJson, fetchExport } from './eggFile';
import { ImportEggModal } from './ImportEggModal';

const s = strings.admin.nests;

/** `/admin/nests/:nest`: the nest's eggs; import, export, delete. */
export default function NestDetailPage() {
  const id = useParam('nest');
  const nest = useGet<Item<Nest>>(`${APP}/nests/${id}`);
  const eggsPath = `${APP}/nests/${id}/eggs`;
  const eggs = useGet<List<Egg>>(eggsPath);
  const [importing, setImporting] = useState(false);
  const client = useQueryClient();
  async function exportEgg(egg: Egg) {
    try {
      downloadJson(await fetchExport(id, egg.id), egg.name);
    } catch (e) {
      notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
    }
  }
  return (
    <>
      <PageHeader title={nest.data?.attributes.name ?? s.title} description={nest.data?.attributes.description} actions={<Button onClick={() => setImporting(true)}>{s.importEgg}</Button>} />
      <QueryState query={eggs}>
        {(data) => (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{strings.common.name}</Table.Th>
                  <Table.Th>{strings.common.description}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.data.map(({ attributes: e }) => (
                  <Table.Tr key={e.id} data-egg={e.name}>
                    <Table.Td>
                      <Text component={Link} to={`/admin/nests/${id}/eggs/${e.id}`} className="aerie-row-link" fw={600} size="sm">
                        {e.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2}>
                        {e.description}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Button size="xs" variant="default" onClick={() => void exportEgg(e)}>
                        {s.export}
                      </Button>{' '}
                      <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(e.name)} confirmLabel={strings.common.delete} onConfirm={() => api.delete(`${eggsPath}/${e.id}`).then(() => invalidate(client, [eggsPath]))}>
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
      <ImportEggModal
        nestId={Number(id)}
        opened={importing}
        onClose={() => setImporting(false)}
        onImported={(name) => {
          notifications.show({ color: 'green', message: s.imported(name) });
          void invalidate(client, [eggsPath]);
        }}
      />
    </>
  );
}
