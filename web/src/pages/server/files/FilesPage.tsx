import { useCallback, useMemo, useRef, useState, type DragEvent } from 'react';
import { Anchor, Breadcrumbs, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/client';
import { invalidate, useGet } from '../../../api/query';
import type { FileObject } from '../../../api/types';
import { IconPlus, IconUpload } from '../../../components/Icons';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { breadcrumbs, isValidName, join, normalize, parseMode } from '../../../lib/paths';
import { navigate, useSearchParams } from '../../../router';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { filesApi, type FileList } from './fileApi';
import { FileRowMenu, type FileAction } from './FileRowMenu';
import { FileTable } from './FileTable';
import { PromptModal } from './PromptModal';
import { UploadList } from './UploadList';
import { useUploads } from './useUploads';
import { ConfirmModal } from '../../../components/ConfirmModal';

type Dialog =
  | { kind: 'folder' }
  | { kind: 'file' }
  | { kind: 'pull' }
  | { kind: 'rename'; entry: FileObject }
  | { kind: 'move'; names: string[] }
  | { kind: 'chmod'; entry: FileObject }
  | { kind: 'delete'; names: string[] }
  | null;

/** `/server/:id/files?dir=/path`: the file manager. */
export default function FilesPage() {
  const { id, base, can } = useServer();
  const dir = normalize(useSearchParams().get('dir') ?? '/');
  const api = useMemo(() => filesApi(base), [base]);
  const client = useQueryClient();
  const list = useGet<FileList>(can('file.read') ? api.listPath(dir) : null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const refresh = useCallback(() => void invalidate(client, [`${base}/files/list`]), [client, base]);
  const uploads = useUploads(api.uploadUrl, refresh);

  if (!can('file.read')) return <NoPermission />;

  const go = (d: string) => {
    setSelected(new Set());
    navigate(`/server/${id}/files?dir=${encodeURIComponent(normalize(d))}`);
  };
  const edit = (path: string) => navigate(`/server/${id}/files/edit?file=${encodeURIComponent(path)}`);

  async function run(action: () => Promise<unknown>, success?: string) {
    try {
      await action();
      if (success) notifications.show({ color: 'green', message: success });
    } catch (e) {
      notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
    } finally {
      refresh();
    }
  }

  async function download(path: string) {
    try {
      const url = await api.downloadUrl(path);
      const a = document.createElement('a');
      a.href = url;
      a.rel = 'noopener';
      a.download = '';
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
    }
  }

  function onAction(entry: FileObject, a: FileAction) {
    const path = join(dir, entry.name);
    switch (a) {
      case 'edit':
        return edit(path);
      case 'rename':
        return setDialog({ kind: 'rename', entry });
      case 'move':
        return setDialog({ kind: 'move', names: [entry.name] });
      case 'chmod':
        return setDialog({ kind: 'chmod', entry });
      case 'copy':
        return void run(() => api.copy(path));
      case 'archive':
        return void run(() => api.compress(dir, [entry.name]), strings.files.archived);
      case 'unarchive':
        return void run(() => api.decompress(dir, entry.name), strings.files.unarchived);
      case 'download':
        return void download(path);
      case 'delete':
        return setDialog({ kind: 'delete', names: [entry.name] });
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length && can('file.create')) void uploads.upload(files, dir);
  }

  const names = [...selected];
  return (
    <>
      <PageHeader
        title={strings.files.title}
        actions={
          can('file.create') && (
            <>
              <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => setDialog({ kind: 'folder' })}>
                {strings.files.newFolder}
              </Button>
              <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => setDialog({ kind: 'file' })}>
                {strings.files.newFile}
              </Button>
              <Button variant="default" onClick={() => setDialog({ kind: 'pull' })}>
                {strings.files.pull}
              </Button>
              <Button leftSection={<IconUpload size={16} />} onClick={() => input.current?.click()}>
                {strings.files.upload}
              </Button>
              <input
                ref={input}
                type="file"
                multiple
                hidden
                data-testid="upload-input"
                onChange={(e) => {
                  const files = Array.from(e.currentTarget.files ?? []);
                  e.currentTarget.value = '';
                  if (files.length) void uploads.upload(files, dir);
                }}
              />
            </>
          )
        }
      />
      <Stack gap="sm">
        <Breadcrumbs aria-label={strings.files.breadcrumbs} separatorMargin={4}>
          {breadcrumbs(dir).map((c, i, all) =>
            i === all.length - 1 ? (
              <Text key={c.path} size="sm" className="aerie-mono" aria-current="page">
                {c.path === '/' ? strings.files.root : c.name}
              </Text>
            ) : (
              <Anchor key={c.path} size="sm" className="aerie-mono" component="button" type="button" onClick={() => go(c.path)}>
                {c.path === '/' ? strings.files.root : c.name}
              </Anchor>
            ),
          )}
        </Breadcrumbs>
        {names.length > 0 && (
          <Group gap="xs" role="toolbar" aria-label={strings.files.selected(names.length)}>
            <Text size="sm">{strings.files.selected(names.length)}</Text>
            {can('file.archive') && (
              <Button size="xs" variant="default" onClick={() => void run(() => api.compress(dir, names), strings.files.archived).then(() => setSelected(new Set()))}>
                {strings.files.archive}
              </Button>
            )}
            {can('file.update') && (
              <Button size="xs" variant="default" onClick={() => setDialog({ kind: 'move', names })}>
                {strings.files.move}
              </Button>
            )}
            {can('file.delete') && (
              <Button size="xs" color="red" variant="light" onClick={() => setDialog({ kind: 'delete', names })}>
                {strings.files.delete}
              </Button>
            )}
          </Group>
        )}
        <Card
          withBorder
          padding={0}
          radius="md"
          className="aerie-dropzone"
          data-active={dragging}
          data-testid="file-dropzone"
          onDragOver={(e) => {
            if (!can('file.create')) return;
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <QueryState query={list}>
            {(data) => (
              <FileTable
                entries={data.data.map((d) => d.attributes)}
                selected={selected}
                onSelect={setSelected}
                onOpenFolder={(name) => go(join(dir, name))}
                onOpenFile={(name) => (can('file.read-content') ? edit(join(dir, name)) : undefined)}
                actions={(entry) => <FileRowMenu entry={entry} can={can} onAction={(a) => onAction(entry, a)} />}
              />
            )}
          </QueryState>
          {dragging && (
            <Text ta="center" c="blue" py="sm" size="sm">
              {strings.files.dropHere}
            </Text>
          )}
        </Card>
        <UploadList items={uploads.items} onClear={uploads.clearFinished} />
      </Stack>

      <PromptModal
        opened={dialog?.kind === 'folder'}
        title={strings.files.newFolderTitle}
        label={strings.files.nameLabel}
        submitLabel={strings.common.create}
        validate={(v) => (isValidName(v) ? null : strings.files.nameInvalid)}
        onSubmit={async (v) => {
          await api.createFolder(dir, v.trim());
          refresh();
        }}
        onClose={() => setDialog(null)}
      />
      <PromptModal
        opened={dialog?.kind === 'file'}
        title={strings.files.newFileTitle}
        label={strings.files.newFileName}
        submitLabel={strings.common.create}
        validate={(v) => (isValidName(v) ? null : strings.files.nameInvalid)}
        onSubmit={async (v) => navigate(`/server/${id}/files/edit?file=${encodeURIComponent(join(dir, v.trim()))}&new=1`)}
        onClose={() => setDialog(null)}
      />
      <PromptModal
        opened={dialog?.kind === 'pull'}
        title={strings.files.pullTitle}
        label={strings.files.urlLabel}
        submitLabel={strings.files.pull}
        validate={(v) => (/^https?:\/\/\S+$/.test(v.trim()) ? null : strings.files.urlInvalid)}
        onSubmit={async (v) => {
          await api.pull(v.trim(), dir);
          notifications.show({ color: 'green', message: strings.files.pullStarted });
          refresh();
        }}
        onClose={() => setDialog(null)}
      />
      {dialog?.kind === 'rename' && (
        <PromptModal
          opened
          title={strings.files.renameTitle(dialog.entry.name)}
          label={strings.files.nameLabel}
          initial={dialog.entry.name}
          validate={(v) => (isValidName(v) ? null : strings.files.nameInvalid)}
          onSubmit={async (v) => {
            await api.rename(dir, [{ from: dialog.entry.name, to: v.trim() }]);
            refresh();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'move' && (
        <PromptModal
          opened
          title={strings.files.moveTitle}
          label={strings.files.moveLabel}
          initial={dir}
          validate={(v) => (v.trim().startsWith('/') ? null : strings.files.nameInvalid)}
          onSubmit={async (v) => {
            const target = normalize(v);
            await api.rename('/', dialog.names.map((n) => ({ from: join(dir, n), to: join(target, n) })));
            setSelected(new Set());
            refresh();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmModal
          opened
          title={strings.files.delete}
          message={strings.files.deleteConfirm(dialog.names.length)}
          confirmLabel={strings.files.delete}
          onConfirm={() =>
            run(() => api.remove(dir, dialog.names)).then(() => {
              setSelected(new Set());
            })
          }
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'chmod' && (
        <PromptModal
          opened
          title={strings.files.chmodTitle(dialog.entry.name)}
          label={strings.files.modeLabel}
          initial={dialog.entry.mode_bits}
          validate={(v) => (parseMode(v) ? null : strings.files.modeInvalid)}
          onSubmit={async (v) => {
            await api.chmod(dir, [{ file: dialog.entry.name, mode: Number(parseMode(v)) }]);
            refresh();
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
