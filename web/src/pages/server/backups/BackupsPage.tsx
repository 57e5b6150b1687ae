import { useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Group, Menu, ActionIcon, Progress, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage, request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { Backup, BackupRestoreBody, Item, List, SignedUrl } from '../../../api/types';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { IconDots, IconLock } from '../../../components/Icons';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { formatBytes, formatDate } from '../../../lib/format';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { CreateBackupModal } from './CreateBackupModal';

type Backups = List<Backup, { backup_count?: number }>;

/** `/server/:id/backups`: create, download, restore, lock and delete backups, with progress. */
export default function BackupsPage() {
  const { base, can, server } = useServer();
  const path = `${base}/backups`;
  const [creating, setCreating] = useState(false);
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [deleting, setDeleting] = useState<Backup | null>(null);
  const [truncate, setTruncate] = useState(false);
  const list = useGet<Backups>(can('backup.read') ? path : null, {
    // Poll while a backup runs (the websocket's `backup completed` also refreshes).
    refetchInterval: (q) => (q.state.data?.data.some((b) => b.attributes.completed_at === null) ? 3000 : false),
  });
  const lock = useAction((b: Backup) => request('POST', `${path}/${b.uuid}/lock`), { invalidate: [path] });
  const restore = useAction(
    (b: Backup) => request('POST', `${path}/${b.uuid}/restore`, { body: { truncate } satisfies BackupRestoreBody }),
    { invalidate: [base], success: strings.backups.restoring },
  );
  const remove = useAction((b: Backup) => request('DELETE', `${path}/${b.uuid}`), { invalidate: [path] });

  if (!can('backup.read')) return <NoPermission />;

  async function download(b: Backup) {
    try {
      const url = (await request<Item<SignedUrl>>('GET', `${path}/${b.uuid}/download`)).attributes.url;
      window.location.assign(url);
    } catch (e) {
      notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
    }
  }

  const max = server.feature_limits.backups;
  const count = list.data?.meta?.backup_count ?? list.data?.data.length ?? 0;
  return (
    <>
      <PageHeader
        title={strings.backups.title}
        description={strings.backups.limit(count, max)}
        actions={
          can('backup.create') && (
            <Button onClick={() => setCreating(true)} disabled={max !== null && count >= max}>
              {strings.backups.create}
            </Button>
          )
        }
      />
      {server.status === 'restoring_backup' && (
        <Alert color="violet" variant="light" mb="md" title={strings.backups.restoring} role="status">
          <Progress value={100} animated aria-label={strings.backups.restoring} />
        </Alert>
      )}
      <QueryState query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{strings.backups.empty}</Text>
          ) : (
            <Stack gap="sm">
              {data.data.map(({ attributes: b }) => {
                const running = b.completed_at === null;
                return (
                  <Card key={b.uuid} withBorder padding="sm" radius="md" data-backup={b.name} data-state={running ? 'running' : b.is_successful ? 'done' : 'failed'}>
                    <Group justify="space-between" wrap="nowrap">
                      <div style={{ minWidth: 0, flex: 1 }}>
                        <Group gap="xs">
                          <Text fw={600} truncate>
                            {b.name}
                          </Text>
                          {b.is_locked && (
                            <Badge leftSection={<IconLock size={12} />} variant="light">
                              {strings.backups.locked}
                            </Badge>
                          )}
                          {!running && !b.is_successful && <Badge color="red">{strings.backups.failed}</Badge>}
                        </Group>
                        {running ? (
                          <Stack gap={4} mt={6}>
                            <Text size="xs" c="dimmed">
                              {strings.backups.inProgress}
                            </Text>
                            <Progress value={100} animated aria-label={strings.backups.inProgress} />
                          </Stack>
                        ) : (
                          <Text size="xs" c="dimmed">
                            {formatBytes(b.bytes)} · {formatDate(b.completed_at ?? b.created_at)}
                            {b.checksum ? ` · ${b.checksum.slice(0, 20)}…` : ''}
                          </Text>
                        )}
                      </div>
                      {!running && (
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <ActionIcon variant="subtle" color="gray" aria-label={`${strings.common.actions}: ${b.name}`}>
                              <IconDots />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            {can('backup.download') && b.is_successful && <Menu.Item onClick={() => void download(b)}>{strings.backups.download}</Menu.Item>}
                            {can('backup.restore') && b.is_successful && (
                              <Menu.Item
                                onClick={() => {
                                  setTruncate(false);
                                  setRestoring(b);
                                }}
                              >
                                {strings.backups.restore}
                              </Menu.Item>
                            )}
                            {can('backup.delete') && <Menu.Item onClick={() => lock.mutate(b)}>{b.is_locked ? strings.backups.unlock : strings.backups.lock}</Menu.Item>}
                            {can('backup.delete') && !b.is_locked && (
                              <Menu.Item color="red" onClick={() => setDeleting(b)}>
                                {strings.common.delete}
                              </Menu.Item>
                            )}
                          </Menu.Dropdown>
                        </Menu>
                      )}
                    </Group>
                  </Card>
                );
              })}
            </Stack>
          )
        }
      </QueryState>
      <CreateBackupModal opened={creating} path={path} onClose={() => setCreating(false)} />
      <ConfirmModal
        opened={restoring !== null}
        title={strings.backups.restoreTitle}
        color="blue"
        confirmLabel={strings.backups.restore}
        message={
          <Stack gap="sm">
            <Text size="sm">{strings.backups.restoreHelp}</Text>
            <Checkbox label={strings.backups.truncate} checked={truncate} onChange={(e) => setTruncate(e.currentTarget.checked)} />
          </Stack>
        }
        onConfirm={() => (restoring ? restore.mutateAsync(restoring) : Promise.resolve())}
        onClose={() => setRestoring(null)}
      />
      <ConfirmModal
        opened={deleting !== null}
        title={strings.common.delete}
        message={strings.common.confirmDelete(deleting?.name ?? '')}
        confirmLabel={strings.common.delete}
        onConfirm={() => (deleting ? remove.mutateAsync(deleting) : Promise.resolve())}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
