import { describe, expect, it } from 'vitest';
import type { Mount } from '../../../api/types';
import { strings } from '../../../strings';
import { initialValues, linkChanges, mountBody, mountsForServer, nameError, normalizePath, pathError } from './mountForm';

const s = strings.admin.mounts;

function mount(id: number, links: { eggs?: number[]; nodes?: number[]; servers?: number[] | 'null' } = {}): Mount {
  const list = (ids: number[]) => ({ object: 'list' as const, data: ids.map((i) => ({ object: 'x', attributes: { id: i } })) });
  return {
    id,
    uuid: `00000000-0000-4000-8000-00000000000${id}`,
    name: `m${id}`,
    description: null,
    source: `/srv/m${id}`,
    target: `/data/m${id}`,
    read_only: false,
    user_mountable: false,
    relationships: {
      eggs: list(links.eggs ?? []),
      nodes: list(links.nodes ?? []),
      servers: links.servers === 'null' ? { object: 'null_resource', attributes: null } : list(links.servers ?? []),
    },
  } as unknown as Mount;
}

describe('mount paths', () => {
  it('normalizes as the panel does', () => {
    expect(normalizePath('/mnt//maps/./x/')).toBe('/mnt/maps/x');
    expect(normalizePath('/')).toBe('/');
    for (const bad of ['mnt', '', '/a/../b', '/a:b', '/a\nb']) expect(normalizePath(bad)).toBeNull();
  });

  it('refuses what the panel refuses, with a message per rule', () => {
    expect(pathError('source', '  ')).toBe(strings.validation.required(s.source.toLowerCase()));
    expect(pathError('source', 'relative/path')).toBe(s.notAbsolute);
    expect(pathError('target', '/x/../y')).toBe(s.notAbsolute);
    expect(pathError('source', '//')).toBe(s.notRoot);
    expect(pathError('source', `/${'a'.repeat(191)}`)).toBe(strings.validation.maxString(s.source.toLowerCase(), 191));
    expect(pathError('source', '/etc/pterodactyl/')).toBe(s.forbiddenSource('/etc/pterodactyl'));
    expect(pathError('source', '/var/lib/pterodactyl/volumes/abc')).toBe(s.forbiddenSource('/var/lib/pterodactyl'));
    expect(pathError('target', '/home//container/plugins')).toBe(s.forbiddenTarget('/home/container'));
    // Near misses are fine, and a target may be anywhere else.
    expect(pathError('source', '/var/lib/pterodactyl-maps')).toBeNull();
    expect(pathError('target', '/home/containers')).toBeNull();
    expect(pathError('target', '/home/container-data')).toBeNull();
  });

  it('checks the name length', () => {
    expect(nameError(' ')).toBe(strings.validation.required(s.name.toLowerCase()));
    expect(nameError('a')).toBe(strings.validation.minString(s.name.toLowerCase(), 2));
    expect(nameError('a'.repeat(65))).toBe(strings.validation.maxString(s.name.toLowerCase(), 64));
    expect(nameError(' ok ')).toBeNull();
  });
});

describe('mount body', () => {
  it('round-trips a mount and trims, with an empty description as null', () => {
    const m = { ...mount(1), description: 'Maps', read_only: true };
    expect(mountBody(initialValues(m))).toEqual({
      name: 'm1',
      description: 'Maps',
      source: '/srv/m1',
      target: '/data/m1',
      read_only: true,
      user_mountable: false,
    });
    expect(mountBody({ ...initialValues(null), name: ' new ', description: '  ', source: ' /a ', target: '/b' })).toEqual({
      name: 'new',
      description: null,
      source: '/a',
      target: '/b',
      read_only: false,
      user_mountable: false,
    });
  });
});

describe('links', () => {
  it('computes what to add and remove', () => {
    expect(linkChanges([1, 2, 3], [3, 4, 1])).toEqual({ add: [4], remove: [2] });
    expect(linkChanges([], [])).toEqual({ add: [], remove: [] });
    expect(linkChanges([5], [])).toEqual({ add: [], remove: [5] });
  });

  it('splits a server’s mounts into attached (applied or not) and available', () => {
    const server = { id: 10, node: 1, egg: 7 };
    const applied = mount(1, { eggs: [7, 8], nodes: [1], servers: [10, 11] });
    const wrongNode = mount(2, { eggs: [7], nodes: [2], servers: [10] });
    const available = mount(3, { eggs: [7], nodes: [1, 2], servers: [11] });
    const elsewhere = mount(4, { eggs: [8], nodes: [1] });
    const hidden = mount(5, { eggs: [7], nodes: [1], servers: 'null' });
    const { attached, available: avail } = mountsForServer([applied, wrongNode, available, elsewhere, hidden], server);
    expect(attached.map((a) => [a.mount.id, a.applies])).toEqual([
      [1, true],
      [2, false],
    ]);
    // A mount whose servers the key may not read counts as not attached.
    expect(avail.map((m) => m.id)).toEqual([3, 5]);
  });
});
