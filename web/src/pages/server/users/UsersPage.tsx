import { useState } from 'react';
import { Avatar, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { Item, List, Subuser, SystemPermissions } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { groupPermissions } from '../../../lib/permissions';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { SubuserModal } from './SubuserModal';

/** `/server/:id/users`: subusers and their permissions. */
export default function UsersPage() {
  const { base, can, meta } = useServer();
  const path = `${base}/users`;
  const list = useGet<List<Subuser>>(can('user.read') ? path : null);
  const system = useGet<Item<SystemPermissions>>('/api/client/permissions', { staleTime: Infinity });
  const [editing, setEditing] = useState<Subuser | 'new' | null>(null);
  if (!can('user.read')) return <NoPermission />;
  const groups = system.data ? groupPermissions(system.data.attributes.permissions) : [];
  return (
    <>
      <PageHeader
        title={strings.subusers.title}
        actions={
          can('user.create') && (
            <Button onClick={() => setEditing('new')} disabled={!system.data}>
              {strings.subusers.create}
            </Button>
          )
        }
      />
      <QueryState query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{strings.subusers.empty}</Text>
          ) : (
            <Stack gap="sm">
              {data.data.map(({ attributes: u }) => (
                <SubuserRow key={u.uuid} user={u} path={path} can={can} onEdit={() => setEditing(u)} />
              ))}
            </Stack>
          )
        }
      </QueryState>
      {editing !== null && (
        <SubuserModal path={path} groups={groups} own={meta.user_permissions} user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
    </>
  );
}

function SubuserRow({ user, path, can, onEdit }: { user: Subuser; path: string; can: (p: string) => boolean; onEdit: () => void }) {
  const remove = useAction(() => request('DELETE', `${path}/${user.uuid}`), { invalidate: [path] });
  return (
    <Card withBorder padding="sm" radius="md">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Avatar src={user.image} radius="xl" alt="" />
          <div style={{ minWidth: 0 }}>
            <Text fw={600} truncate>
              {user.username}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {user.email}
            </Text>
          </div>
          {user['2fa_enabled'] && <Badge variant="light">{strings.subusers.twoFactor}</Badge>}
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed" visibleFrom="sm">
            {user.permissions.length} {strings.subusers.permissions.toLowerCase()}
          </Text>
          {can('user.update') && (
            <Button variant="default" size="xs" onClick={onEdit}>
              {strings.common.edit}
            </Button>
          )}
          {can('user.delete') && (
            <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(user.email)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
              {strings.common.delete}
            </ConfirmButton>
          )}
        </Group>
      </Group>
    </Card>
  );
}
