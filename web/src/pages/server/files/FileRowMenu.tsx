import { ActionIcon, Menu } from '@mantine/core';
import type { FileObject } from '../../../api/types';
import { IconDots } from '../../../components/Icons';
import { isArchive } from '../../../lib/paths';
import { strings } from '../../../strings';

export type FileAction = 'edit' | 'rename' | 'move' | 'copy' | 'chmod' | 'archive' | 'unarchive' | 'download' | 'delete';

/** The ⋯ menu of one row; entries the user may not use are left out. */
export function FileRowMenu({ entry, can, onAction }: { entry: FileObject; can: (p: string) => boolean; onAction: (a: FileAction) => void }) {
  const item = (a: FileAction, label: string, perm: string, color?: string) =>
    can(perm) ? (
      <Menu.Item key={a} color={color} onClick={() => onAction(a)}>
        {label}
      </Menu.Item>
    ) : null;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={strings.files.fileActions(entry.name)}>
          <IconDots />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {entry.is_file && item('edit', strings.files.edit, 'file.read-content')}
        {item('rename', strings.files.rename, 'file.update')}
        {item('move', strings.files.move, 'file.update')}
        {entry.is_file && item('copy', strings.files.copy, 'file.create')}
        {item('chmod', strings.files.chmod, 'file.update')}
        {item('archive', strings.files.archive, 'file.archive')}
        {entry.is_file && isArchive(entry.name) && item('unarchive', strings.files.unarchive, 'file.archive')}
        {entry.is_file && item('download', strings.files.download, 'file.read-content')}
        <Menu.Divider />
        {item('delete', strings.files.delete, 'file.delete', 'red')}
      </Menu.Dropdown>
    </Menu>
  );
}
