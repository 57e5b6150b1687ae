import { useState, type FormEvent } from 'react';
import { Button, Card, Group, Modal, PasswordInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { ClientDatabase, ClientDatabaseBody, List } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyField } from '../../../components/CopyField';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { validateRules } from '../../../lib/validation';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';

/** `/server/:id/databases`: create, show, rotate and delete the server's databases. */
export default function DatabasesPage() {
  const { base, can, server } = useServer();
  const path = `${base}/databases`;
  const list = useGet<List<ClientDatabase>>(can('database.read') ? `${path}${can('database.view_password') ? '?include=password' : ''}` : null);
  const [creating, setCreating] = useState(false);
  if (!can('database.read')) return <NoPermission />;
  const max = server.feature_limits.databases;
  const count = list.data?.data.length ?? 0;
  return (
    <>
      <PageHeader
        title={strings.databases.title}
        description={strings.databases.limit(count, max)}
        actions={
          can('database.create') && (
            <Button onClick={() => setCreating(true)} disabled={max !== null && count >= max}>
              {strings.databases.create}
            </Button>
          )
        }
      />
      <QueryState query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{strings.databases.empty}</Text>
          ) : (
            <Stack>
              {data.data.map(({ attributes: d }) => (
                <DatabaseCard key={d.id} db={d} path={path} can={can} />
              ))}
            </Stack>
          )
        }
      </QueryState>
      <CreateDatabaseModal opened={creating} path={path} onClose={() => setCreating(false)} />
    </>
  );
}

function DatabaseCard({ db, path, can }: { db: ClientDatabase; path: string; can: (p: string) => boolean }) {
  const rotate = useAction(() => request('POST', `${path}/${db.id}/rotate-password`), { invalidate: [path], success: strings.databases.rotated });
  const remove = useAction(() => request('DELETE', `${path}/${db.id}`), { invalidate: [path] });
  const password = db.relationships?.password?.attributes?.password ?? undefined;
  return (
    <Card withBorder padding="md" radius="md">
      <Text fw={600} mb="xs" className="aerie-mono">
        {db.name}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        <CopyField label={strings.databases.endpoint} value={`${db.host.address}:${db.host.port}`} />
        <CopyField label={strings.databases.username} value={db.username} />
        <CopyField label={strings.databases.remoteLabel} value={db.connections_from} />
        {password !== undefined && <PasswordInput label={strings.databases.password} value={password} readOnly />}
      </SimpleGrid>
      <Group justify="flex-end" mt="sm" gap="xs">
        {can('database.update') && (
          <Button variant="default" onClick={() => rotate.mutate()} loading={rotate.isPending}>
            {strings.databases.rotate}
          </Button>
        )}
        {can('database.delete') && (
          <ConfirmButton variant="light" title={strings.common.delete} message={strings.common.confirmDelete(db.name)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
            {strings.common.delete}
          </ConfirmButton>
        )}
      </Group>
    </Card>
  );
}

function CreateDatabaseModal({ opened, path, onClose }: { opened: boolean; path: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const [remote, setRemote] = useState('%');
  const [errors, setErrors] = useState<{ name?: string | null; remote?: string | null }>({});
  const create = useAction(() => request('POST', path, { body: { database: name.trim(), remote: remote.trim() } satisfies ClientDatabaseBody }), {
    invalidate: [path],
    toastErrors: false,
    onSuccess: () => {
      setName('');
      onClose();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const next = {
      name: validateRules(name.trim(), 'required|alpha_dash|between:3,48', strings.databases.nameLabel.toLowerCase()),
      remote: validateRules(remote.trim(), 'required|regex:/^[0-9%.]{1,15}$/', strings.databases.remoteLabel.toLowerCase()),
    };
    setErrors(next);
    if (!next.name && !next.remote) create.mutate();
  }
  return (
    <Modal opened={opened} onClose={onClose} title={strings.databases.create} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={create.error} />
          <TextInput label={strings.databases.nameLabel} value={name} error={errors.name} data-autofocus onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label={strings.databases.remoteLabel} description={strings.databases.remoteHelp} value={remote} error={errors.remote} onChange={(e) => setRemote(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {strings.common.create}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
