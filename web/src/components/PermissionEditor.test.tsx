import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { groupPermissions } from '../lib/permissions';
import { SYSTEM } from '../lib/permissions.test';
import { renderWithMantine } from '../test/render';
import { PermissionEditor } from './PermissionEditor';

function Harness({ own, initial = [] }: { own: string[]; initial?: string[] }) {
  const [selected, setSelected] = useState(new Set(initial));
  return (
    <>
      <PermissionEditor groups={groupPermissions(SYSTEM)} selected={selected} onChange={setSelected} own={own} />
      <output data-testid="selected">{[...selected].sort().join(',')}</output>
    </>
  );
}

const selected = () => screen.getByTestId('selected').textContent;

describe('PermissionEditor', () => {
  it('shows groups with their keys, without websocket', () => {
    renderWithMantine(<Harness own={['*']} />);
    expect(screen.getByRole('group', { name: 'control' })).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'file' })).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'websocket' })).not.toBeInTheDocument();
    expect(screen.getByText('Send commands')).toBeInTheDocument();
  });

  it('toggles a whole group, and a group box reflects its keys', async () => {
    const user = userEvent.setup();
    renderWithMantine(<Harness own={['*']} initial={['control.start']} />);
    const group = screen.getByRole('checkbox', { name: 'All control permissions' });
    expect(group).toHaveAttribute('data-indeterminate', 'true');
    await user.click(group);
    expect(selected()).toBe('control.console,control.restart,control.start,control.stop');
    await user.click(group);
    expect(selected()).toBe('');
    await user.click(screen.getByRole('checkbox', { name: /file\.read$/ }));
    expect(selected()).toBe('file.read');
  });

  it('disables what the editing user cannot grant', async () => {
    const user = userEvent.setup();
    renderWithMantine(<Harness own={['file.read', 'file.create']} />);
    expect(screen.getByRole('checkbox', { name: /file\.read-content/ })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: 'All file permissions' })).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: /file\.create/ }));
    expect(selected()).toBe('file.create');
  });
});
