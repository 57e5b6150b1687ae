import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { strings } from '../strings';

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
  async function go() {
    setBusy(true);
    try {
      await onConfirm();
      setOpen(false);
    } catch {
      // The action reported its own error.
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button color={color} onClick={() => setOpen(true)} {...button}>
        {children}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title} centered>
        <Stack>
          {typeof message === 'string' ? <Text size="sm">{message}</Text> : message}
          {extra}
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
