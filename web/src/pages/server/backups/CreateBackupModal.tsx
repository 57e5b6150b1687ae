import { useState, type FormEvent } from 'react';
import type { BackupCreateBody } from '../../../api/types';
import { Button, Checkbox, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import { FormError } from '../../../components/QueryState';
import { strings } from '../../../strings';

export function CreateBackupModal({ opened, path, onClose }: { opened: boolean; path: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const [ignored, setIgnored] = useState('');
  const [locked, setLocked] = useState(false);
  const create = useAction(() => request('POST', path, { body: { name: name.trim() || null, ignored, is_locked: locked } satisfies BackupCreateBody }), {
    invalidate: [path],
    toastErrors: false,
    onSuccess: () => {
      setName('');
      setIgnored('');
      setLocked(false);
      onClose();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <Modal opened={opened} onClose={onClose} title={strings.backups.create} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={create.error} />
          <TextInput label={strings.backups.nameLabel} value={name} maxLength={191} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <Textarea label={strings.backups.ignoredLabel} value={ignored} autosize minRows={2} classNames={{ input: 'aerie-mono' }} onChange={(e) => setIgnored(e.currentTarget.value)} />
          <Checkbox label={strings.backups.lockedLabel} checked={locked} onChange={(e) => setLocked(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {strings.backups.create}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
