import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { strings } from '../strings';
import { FormError } from './QueryState';

/** A controlled "are you sure?" dialog; `onConfirm` errors are reported by the caller. */
export function ConfirmModal({
  opened,
  title,
  message,
  confirmLabel = strings.common.confirm,
  color = 'red',
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  color?: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Stack>
        {typeof message === 'string' ? <Text size="sm">{message}</Text> : message}
        <FormError error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {strings.common.cancel}
          </Button>
          <Button
            color={color}
            loading={busy}
            data-autofocus
            onClick={() => {
              setBusy(true);
              setError(null);
              void onConfirm()
                .then(onClose, setError)
                .finally(() => setBusy(false));
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
