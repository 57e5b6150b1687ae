import { describe, expect, it } from 'vitest';
import { canGrant, groupPermissions, groupState, hasPermission, toggleGroup, toggleKey } from './permissions';

export const SYSTEM = {
  websocket: { description: 'Websocket', keys: { connect: 'Connect' } },
  control: { description: 'Control the server', keys: { console: 'Send commands', start: 'Start', stop: 'Stop', restart: 'Restart' } },
  file: { description: 'Files', keys: { read: 'List', 'read-content': 'Read', create: 'Create' } },
};

describe('permissions', () => {
  const groups = groupPermissions(SYSTEM);
  const control = groups[0]!;
  it('groups keys as the panel describes them, without websocket', () => {
    expect(groups.map((g) => g.name)).toEqual(['control', 'file']);
    expect(control.keys.map((k) => k.key)).toEqual(['control.console', 'control.start', 'control.stop', 'control.restart']);
  });
  it('computes group states', () => {
    expect(groupState(control, new Set())).toBe('none');
    expect(groupState(control, new Set(['control.start']))).toBe('some');
    expect(groupState(control, new Set(control.keys.map((k) => k.key)))).toBe('all');
  });
  it('toggles whole groups and single keys', () => {
    const some = new Set(['control.start', 'file.read']);
    const all = toggleGroup(control, some);
    expect(groupState(control, all)).toBe('all');
    expect(all.has('file.read')).toBe(true);
    const none = toggleGroup(control, all);
    expect(groupState(control, none)).toBe('none');
    expect(none.has('file.read')).toBe(true);
    expect(toggleKey('file.read', none).has('file.read')).toBe(false);
  });
  it('knows who may grant what', () => {
    expect(canGrant('file.read', ['*'])).toBe(true);
    expect(canGrant('file.read', ['file.read'])).toBe(true);
    expect(canGrant('file.create', ['file.read'])).toBe(false);
    expect(hasPermission(undefined, 'x')).toBe(false);
    expect(hasPermission(['*'], 'control.start')).toBe(true);
  });
});
