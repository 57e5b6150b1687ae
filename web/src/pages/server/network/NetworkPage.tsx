import { useState } from 'react';
import { Badge, Button, Card, Group, Stack, Text, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { ClientAllocation, List } from '../../../api/types';
import { CopyField } from '../../../components/CopyField';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';

/** `/server/:id/network`: the server's allocations, their notes and the primary one. */
export default function NetworkPage() {
  const { base, can, server } = useServer();
  const path = `${base}/network/allocations`;
  const list = useGet<List<ClientAllocation>>(can('allocation.read') ? path : null);
  const add = useAction(() => request('POST', path), { invalidate: [path, base] });
  if (!can('allocation.read')) return <NoPermission />;
  const max = server.feature_limits.allocations;
  const count = list.data?.data.length ?? 0;
  return (
    <>
      <PageHeader
        title={strings.network.title}
        description={strings.network.limit(count, max)}
        actions={
          can('allocation.create') && (
            <Button onClick={() => add.mutate()} loading={add.isPending} disabled={!max || count >= max}>
              {strings.network.add}
            </Button>
          )
        }
      />
      <QueryState query={list}>
        {(data) => (
          <Stack gap="sm">
            {data.data.map(({ attributes: a }) => (
              <AllocationRow key={a.id} allocation={a} path={path} base={base} can={can} />
            ))}
          </Stack>
        )}
      </QueryState>
    </>
  );
}

function AllocationRow({ allocation: a, path, base, can }: { allocation: ClientAllocation; path: string; base: string; can: (p: string) => boolean }) {
  const [notes, setNotes] = useState(a.notes ?? '');
  const save = useAction(() => request('POST', `${path}/${a.id}`, { body: { notes } }), { invalidate: [path], success: strings.common.saved });
  const primary = useAction(() => request('POST', `${path}/${a.id}/primary`), { invalidate: [path, base] });
  const remove = useAction(() => request('DELETE', `${path}/${a.id}`), { invalidate: [path, base] });
  return (
    <Card withBorder padding="sm" radius="md">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <CopyField label={strings.network.hostname} value={`${a.ip_alias ?? a.ip}:${a.port}`} />
        <TextInput
          label={strings.network.notes}
          placeholder={strings.network.notesPlaceholder}
          value={notes}
          maxLength={256}
          disabled={!can('allocation.update')}
          style={{ flex: 1, minWidth: 200 }}
          onChange={(e) => setNotes(e.currentTarget.value)}
          onBlur={() => notes !== (a.notes ?? '') && save.mutate()}
        />
        {a.is_default ? (
          <Badge size="lg" variant="light">
            {strings.network.primary}
          </Badge>
        ) : (
          <Group gap="xs">
            {can('allocation.update') && (
              <Button variant="default" onClick={() => primary.mutate()} loading={primary.isPending}>
                {strings.network.makePrimary}
              </Button>
            )}
            {can('allocation.delete') && (
              <Button color="red" variant="light" onClick={() => remove.mutate()} loading={remove.isPending}>
                {strings.common.delete}
              </Button>
            )}
          </Group>
        )}
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {a.ip}
      </Text>
    </Card>
  );
}
