import { useState } from 'react';
import { Badge, Code, Group, Pagination, Table, Text, Tooltip } from '@mantine/core';
import { useGet } from '../api/query';
import type { ActivityLog, List } from '../api/types';
import { formatDate } from '../lib/format';
import { strings } from '../strings';
import { QueryState } from './QueryState';

/** A paginated activity log (`/account/activity` or a server's `/activity`), newest first. */
export function ActivityList({ path }: { path: string }) {
  const [page, setPage] = useState(1);
  const list = useGet<List<ActivityLog>>(`${path}?sort=-timestamp&include=actor&per_page=25&page=${page}`, { placeholderData: (p) => p });
  return (
    <QueryState query={list}>
      {(data) => {
        if (data.data.length === 0) return <Text c="dimmed">{strings.activity.empty}</Text>;
        const pages = data.meta?.pagination?.total_pages ?? 1;
        return (
          <>
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing={6} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{strings.activity.event}</Table.Th>
                    <Table.Th>{strings.activity.actor}</Table.Th>
                    <Table.Th>{strings.activity.ip}</Table.Th>
                    <Table.Th>{strings.activity.when}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.data.map(({ attributes: a }) => {
                    const actor = a.relationships?.actor;
                    const name = actor && actor.object !== 'null_resource' && actor.attributes ? actor.attributes.username : strings.activity.system;
                    const props = Object.keys(a.properties ?? {}).length ? JSON.stringify(a.properties) : null;
                    return (
                      <Table.Tr key={a.id}>
                        <Table.Td>
                          <Group gap={6}>
                            <Code>{a.event}</Code>
                            {a.is_api && <Badge size="xs">{strings.activity.api}</Badge>}
                          </Group>
                          {props && (
                            <Tooltip label={props} multiline maw={400}>
                              <Text size="xs" c="dimmed" truncate maw={360}>
                                {props}
                              </Text>
                            </Tooltip>
                          )}
                        </Table.Td>
                        <Table.Td>{name}</Table.Td>
                        <Table.Td className="aerie-mono">{a.ip ?? '—'}</Table.Td>
                        <Table.Td>{formatDate(a.timestamp)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {pages > 1 && <Pagination mt="md" total={pages} value={page} onChange={setPage} />}
          </>
        );
      }}
    </QueryState>
  );
}
