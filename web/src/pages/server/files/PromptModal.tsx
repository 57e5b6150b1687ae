import { useEffect, useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { FormError } from '../../../components/QueryState';
import { strings } from '../../../strings';

/**
 * A one-field dialog (new folder, rename, move, chmod, pull). `validate` returns an error
 * message or null; `onSubmit` may throw, and its error is shown in the dialog.
 */
export function PromptModal({
  opened,
  title,
  label,
  initial = '',
  submitLabel = strings.common.save,
  validate,
  onSubmit,
  onClose,
}: {
  opened: boolean;
  title: string;
  label: string;
  initial?: string;
  submitLabel?: string;
  validate?: (value: string) => string | null;
  onSubmit: (value: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (opened) {
      setValue(initial);
      setFieldError(null);
      setError(null);
    }
  }, [opened, initial]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const bad = validate?.(value) ?? null;
    setFieldError(bad);
    if (bad) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(value);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <FormError error={error} />
          <TextInput label={label} value={value} error={fieldError} data-autofocus onChange={(e) => setValue(e.currentTarget.value)} classNames={{ input: 'aerie-mono' }} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={busy}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
