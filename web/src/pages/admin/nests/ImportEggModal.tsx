import { useState, type FormEvent } from 'react';
import { Button, FileInput, Group, Modal, Stack, Textarea } from '@mantine/core';
import { FormError } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { importEgg } from './eggFile';

const s = strings.admin.nests;

/** Import an egg into a nest from a file or pasted JSON (an egg of the same UUID/name is updated). */
export function ImportEggModal({ nestId, opened, onClose, onImported }: { nestId: number; opened: boolean; onClose: () => void; onImported: (name: string, id: number) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = file ? await file.text() : text;
    if (body.trim() === '') {
      setFieldError(s.importRequired);
      return;
    }
    if (body.trimStart().startsWith('{')) {
      try {
        JSON.parse(body);
      } catch {
        setFieldError(s.importInvalid);
        return;
      }
    }
    setFieldError(null);
    setBusy(true);
    setError(null);
    try {
      const egg = await importEgg(nestId, body);
      setFile(null);
      setText('');
      onImported(egg.attributes.name, egg.attributes.id);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={onClose} title={s.importTitle} size="lg" centered>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <FormError error={error} />
          <FileInput label={s.importFile} accept=".json,.yaml,.yml,application/json" value={file} onChange={setFile} clearable data-testid="egg-file" />
          <Textarea label={s.importPaste} value={text} autosize minRows={6} maxRows={14} classNames={{ input: 'aerie-mono' }} disabled={file !== null} error={fieldError} onChange={(e) => setText(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={busy}>
              {s.importEgg}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
