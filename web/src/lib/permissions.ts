/**
 * Subuser permissions (reference §7), grouped as the panel's `GET /api/client/permissions`
 * describes them. The editor shows one checkbox per key and one per group; a group box is
 * checked when every key is, indeterminate when some are.
 */

export interface PermissionGroup {
  name: string;
  description: string;
  keys: { key: string; description: string }[];
}

/** Groups in the panel's order, `websocket` hidden (always granted by the panel). */
export function groupPermissions(
  system: Record<string, { description: string; keys: Record<string, string> }>,
): PermissionGroup[] {
  return Object.entries(system)
    .filter(([group]) => group !== 'websocket')
    .map(([group, g]) => ({
      name: group,
      description: g.description,
      keys: Object.entries(g.keys).map(([k, d]) => ({ key: `${group}.${k}`, description: d })),
    }));
}

export type GroupState = 'all' | 'some' | 'none';

export function groupState(group: PermissionGroup, selected: ReadonlySet<string>): GroupState {
  const n = group.keys.filter((k) => selected.has(k.key)).length;
  if (n === 0) return 'none';
  return n === group.keys.length ? 'all' : 'some';
}

/** Toggles a whole group: all on unless all are already on, in which case all off. */
export function toggleGroup(group: PermissionGroup, selected: ReadonlySet<string>): Set<string> {
  const next = new Set(selected);
  const on = groupState(group, selected) !== 'all';
  for (const k of group.keys) {
    if (on) next.add(k.key);
    else next.delete(k.key);
  }
  return next;
}

export function toggleKey(key: string, selected: ReadonlySet<string>): Set<string> {
  const next = new Set(selected);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

/**
 * What the current user may grant: owners and admins (`*`) anything, subusers only what they
 * hold themselves (the panel answers 403 otherwise).
 */
export function canGrant(key: string, own: readonly string[]): boolean {
  return own.includes('*') || own.includes(key);
}

/** Does a user holding `granted` have `key`? (`*` grants everything.) */
export function hasPermission(granted: readonly string[] | undefined, key: string): boolean {
  if (!granted) return false;
  return granted.includes('*') || granted.includes(key);
}
