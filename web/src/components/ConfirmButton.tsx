import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { strings } from '../strings';
import { FormError } from './QueryState';

/**
 * A button that asks first. `onConfirm` may return a promise; the dialog stays open (with
 * the button loading) until it settles, and closes on success.
 */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  color = 'red',
  extra,
  ...button
}: ButtonProps & {
  children: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  onConfirm: () => unknown;
  extra?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function go() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      // Stay open and show the panel's message.
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button color={color} onClick={() => { setError(null); setOpen(true); }} {...button}>
        {children}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title} centered>
        <Stack>
          {typeof message === 'string' ? <Text size="sm">{message}</Text> : message}
          {extra}
          <FormError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {strings.common.cancel}
            </Button>
            <Button color={color} loading={busy} onClick={() => void go()} data-autofocus>
              {confirmLabel ?? strings.common.confirm}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
