import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { FileObject } from '../../../api/types';
import { renderWithMantine } from '../../../test/render';
import { FileTable } from './FileTable';

const f = (name: string, is_file = true, size = 10): FileObject => ({
  name,
  mode: is_file ? '-rw-r--r--' : 'drwxr-xr-x',
  mode_bits: is_file ? '644' : '755',
  size,
  is_file,
  is_symlink: false,
  mimetype: is_file ? 'text/plain' : 'inode/directory',
  created_at: '2026-01-01T00:00:00+00:00',
  modified_at: '2026-01-01T00:00:00+00:00',
});

function setup(selected = new Set<string>()) {
  const props = { onSelect: vi.fn(), onOpenFolder: vi.fn(), onOpenFile: vi.fn() };
  renderWithMantine(<FileTable entries={[f('server.jar', true, 2048), f('world', false), f('eula.txt'), f('plugins', false)]} selected={selected} {...props} />);
  return props;
}

describe('FileTable', () => {
  it('lists folders first, then files, by name', () => {
    setup();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-file'))).toEqual(['plugins', 'world', 'eula.txt', 'server.jar']);
    expect(within(rows[3]!).getByText('2 KiB')).toBeInTheDocument();
  });

  it('opens folders and files by click and by keyboard', async () => {
    const user = userEvent.setup();
    const p = setup();
    await user.click(screen.getByRole('button', { name: 'Folder world' }));
    expect(p.onOpenFolder).toHaveBeenCalledWith('world');
    screen.getByRole('button', { name: 'File eula.txt' }).focus();
    await user.keyboard('{Enter}');
    expect(p.onOpenFile).toHaveBeenCalledWith('eula.txt');
  });

  it('selects one, all, and shows the mixed state', async () => {
    const user = userEvent.setup();
    const p = setup(new Set(['world']));
    expect(screen.getByRole('checkbox', { name: 'Select all' })).toHaveAttribute('data-indeterminate', 'true');
    await user.click(screen.getByRole('checkbox', { name: 'Select eula.txt' }));
    expect([...p.onSelect.mock.calls[0]![0]]).toEqual(['world', 'eula.txt']);
    await user.click(screen.getByRole('checkbox', { name: 'Select all' }));
    expect([...p.onSelect.mock.calls[1]![0]].sort()).toEqual(['eula.txt', 'plugins', 'server.jar', 'world']);
  });

  it('says when a folder is empty', () => {
    renderWithMantine(<FileTable entries={[]} selected={new Set()} onSelect={vi.fn()} onOpenFolder={vi.fn()} onOpenFile={vi.fn()} />);
    expect(screen.getByText('This folder is empty.')).toBeInTheDocument();
  });
});
