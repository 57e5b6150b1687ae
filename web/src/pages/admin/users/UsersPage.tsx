import { useState } from 'react';
import { Badge, Button, Modal, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { User, UserBody } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FieldsForm, type FieldValue } from '../../../components/FieldsForm';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { email } from '../../../lib/validation';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';

const s = strings.admin.users;

/** `/admin/users`. */
export default function UsersPage() {
  const [filter, setFilter] = useState('');
  const [debounced] = useDebouncedValue(filter, 250);
  const list = useAppList<User>('/users', debounced.trim() ? { 'filter[email]': debounced.trim() } : {});
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const client = useQueryClient();
  const refresh = () => invalidate(client, [`${APP}/users`]);
  return (
    <>
      <PageHeader
        title={s.title}
        actions={
          <>
            <TextInput aria-label={s.search} placeholder={s.search} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
            <Button onClick={() => setEditing('new')}>{s.create}</Button>
          </>
        }
      />
      <QueryState query={list}>
        {(data) => (
          <Table.ScrollContainer minWidth={600}>
            <Table highlightOnHover verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{strings.common.id}</Table.Th>
                  <Table.Th>{s.username}</Table.Th>
                  <Table.Th>{s.email}</Table.Th>
                  <Table.Th>{s.twoFactor}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs(data).map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.id}</Table.Td>
                    <Table.Td>
                      {u.username} {u.root_admin && <Badge size="xs">{s.rootAdmin}</Badge>}
                    </Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u['2fa'] ? strings.common.yes : strings.common.no}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => setEditing(u)}>
                        {strings.common.edit}
                      </Button>{' '}
                      <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(u.username)} confirmLabel={strings.common.delete} onConfirm={() => api.delete(`${APP}/users/${u.id}`).then(refresh)}>
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
        <Modal opened onClose={() => setEditing(null)} title={editing === 'new' ? s.create : editing.username} size="lg" centered>
          <UserForm user={editing === 'new' ? null : editing} onDone={() => { void refresh(); setEditing(null); }} onCancel={() => setEditing(null)} />
        </Modal>
      )}
    </>
  );
}

export function UserForm({ user, onDone, onCancel }: { user: User | null; onDone: () => void; onCancel: () => void }) {
  return (
    <FieldsForm
      fields={[
        { name: 'username', label: s.username, required: true },
        { name: 'email', label: s.email, type: 'email', required: true, validate: (v) => email(String(v ?? '')) },
        { name: 'first_name', label: s.firstName, required: true },
        { name: 'last_name', label: s.lastName, required: true },
        { name: 'password', label: s.password, type: 'password', description: s.passwordHelp, wide: true },
        { name: 'external_id', label: s.externalId },
        { name: 'language', label: s.language },
        { name: 'root_admin', label: s.rootAdmin, type: 'switch' },
      ]}
      initial={{
        username: user?.username ?? '',
        email: user?.email ?? '',
        first_name: user?.first_name ?? '',
        last_name: user?.last_name ?? '',
        password: '',
        external_id: user?.external_id ?? '',
        language: user?.language ?? 'en',
        root_admin: user?.root_admin ?? false,
      }}
      onCancel={onCancel}
      submitLabel={user ? strings.common.save : strings.common.create}
      onSubmit={async (v: Record<string, FieldValue>) => {
        const body: UserBody = {
          username: String(v.username).trim(),
          email: String(v.email).trim(),
          first_name: String(v.first_name),
          last_name: String(v.last_name),
          external_id: v.external_id ? String(v.external_id) : null,
          language: String(v.language || 'en'),
          root_admin: v.root_admin === true,
        };
        if (v.password) body.password = String(v.password);
        if (user) await api.patch(`${APP}/users/${user.id}`, body);
        else await api.post(`${APP}/users`, body);
        onDone();
      }}
    />
  );
}
