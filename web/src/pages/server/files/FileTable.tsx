import { Checkbox, Group, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { FileObject } from '../../../api/types';
import { IconFile, IconFolder } from '../../../components/Icons';
import { formatBytes, formatDate } from '../../../lib/format';
import { sortEntries } from '../../../lib/paths';
import { strings } from '../../../strings';

export interface FileTableProps {
  entries: readonly FileObject[];
  selected: ReadonlySet<string>;
  onSelect: (next: Set<string>) => void;
  /** A folder (or a symlink to one) was opened. */
  onOpenFolder: (name: string) => void;
  /** A file was opened (edit). */
  onOpenFile: (name: string) => void;
  /** Row actions (a menu), rendered at the end of each row. */
  actions?: (entry: FileObject) => React.ReactNode;
}

/**
 * The listing of one folder: folders first, then files, by natural name order; a checkbox
 * per row and one for all; names are buttons (Enter opens), so the table is keyboard-usable.
 */
export function FileTable({ entries, selected, onSelect, onOpenFolder, onOpenFile, actions }: FileTableProps) {
  const sorted = sortEntries(entries);
  const allOn = sorted.length > 0 && sorted.every((e) => selected.has(e.name));
  const someOn = sorted.some((e) => selected.has(e.name));
  function toggle(name: string) {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onSelect(next);
  }
  if (sorted.length === 0) {
    return (
      <Text c="dimmed" py="lg" ta="center">
        {strings.files.empty}
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table highlightOnHover verticalSpacing={6} aria-label={strings.files.title}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox
                aria-label={strings.files.selectAll}
                checked={allOn}
                indeterminate={someOn && !allOn}
                onChange={() => onSelect(allOn ? new Set() : new Set(sorted.map((e) => e.name)))}
              />
            </Table.Th>
            <Table.Th>{strings.files.nameLabel}</Table.Th>
            <Table.Th visibleFrom="sm">{strings.files.size}</Table.Th>
            <Table.Th visibleFrom="md">{strings.files.modified}</Table.Th>
            <Table.Th w={48}>
              <VisuallyHidden>{strings.common.actions}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((e) => {
            const folder = !e.is_file;
            return (
              <Table.Tr key={e.name} data-file={e.name} bg={selected.has(e.name) ? 'var(--mantine-primary-color-light)' : undefined}>
                <Table.Td>
                  <Checkbox aria-label={strings.files.select(e.name)} checked={selected.has(e.name)} onChange={() => toggle(e.name)} />
                </Table.Td>
                <Table.Td>
                  <UnstyledButton onClick={() => (folder ? onOpenFolder(e.name) : onOpenFile(e.name))} aria-label={`${folder ? strings.files.folder : strings.files.file} ${e.name}`}>
                    <Group gap={8} wrap="nowrap">
                      {folder ? <IconFolder size={16} color="var(--mantine-color-yellow-6)" /> : <IconFile size={16} />}
                      <Text size="sm" className="aerie-mono" truncate>
                        {e.name}
                        {e.is_symlink ? ' ↪' : ''}
                      </Text>
                    </Group>
                  </UnstyledButton>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Text size="sm" c="dimmed">
                    {e.is_file ? formatBytes(e.size) : ''}
                  </Text>
                </Table.Td>
                <Table.Td visibleFrom="md">
                  <Text size="sm" c="dimmed">
                    {formatDate(e.modified_at)}
                  </Text>
                </Table.Td>
                <Table.Td>{actions?.(e)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
