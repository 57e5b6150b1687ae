import { Badge } from '@mantine/core';
import { strings } from '../strings';

const COLORS: Record<string, string> = {
  running: 'green',
  starting: 'yellow',
  stopping: 'orange',
  offline: 'gray',
  installing: 'blue',
  install_failed: 'red',
  reinstall_failed: 'red',
  suspended: 'red',
  restoring_backup: 'violet',
  transferring: 'violet',
  installed: 'teal',
};

/** A server's state as a coloured badge. */
export function StatusBadge({ state }: { state: string | null | undefined }) {
  const s = state ?? 'unknown';
  return (
    <Badge color={COLORS[s] ?? 'gray'} variant="light" data-state={s}>
      {strings.status[s] ?? strings.status.unknown}
    </Badge>
  );
}
