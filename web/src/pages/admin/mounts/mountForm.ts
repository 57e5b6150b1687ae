/**
 * The mount form's logic, kept apart from the components so it can be tested: the same
 * path rules the panel applies (it is the authority; these only spare a round trip), the
 * request body, the link changes a multi-select implies, and which mounts a server has
 * and could have.
 */
import type { Mount, MountBody } from '../../../api/types';
import type { FieldValue } from '../../../components/FieldsForm';
import { strings } from '../../../strings';

const s = strings.admin.mounts;

/** Sources wings keeps its own files in (as the panel's `FORBIDDEN_SOURCES`). */
export const FORBIDDEN_SOURCES = ['/etc/pterodactyl', '/var/lib/pterodactyl', '/srv/daemon-data'];
/** Targets that would cover the server's own files (as the panel's `FORBIDDEN_TARGETS`). */
export const FORBIDDEN_TARGETS = ['/home/container'];
/** The longest path the panel stores. */
export const MAX_PATH = 191;

/** `path` normalized as the panel stores it, or null when the panel would refuse its form. */
export function normalizePath(path: string): string | null {
  if (!path.startsWith('/') || path.includes(':') || /[\u0000-\u001f\u007f]/.test(path)) return null;
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return null;
    segments.push(seg);
  }
  return `/${segments.join('/')}`;
}

/** The error for a source or target path, or null when the panel would accept it. */
export function pathError(kind: 'source' | 'target', raw: string): string | null {
  const value = raw.trim();
  const label = kind === 'source' ? s.source : s.target;
  if (value === '') return strings.validation.required(label.toLowerCase());
  if ([...value].length > MAX_PATH) return strings.validation.maxString(label.toLowerCase(), MAX_PATH);
  const path = normalizePath(value);
  if (path === null) return s.notAbsolute;
  if (path === '/') return s.notRoot;
  const forbidden = kind === 'source' ? FORBIDDEN_SOURCES : FORBIDDEN_TARGETS;
  const bad = forbidden.find((f) => path === f || path.startsWith(`${f}/`));
  if (bad) return kind === 'source' ? s.forbiddenSource(bad) : s.forbiddenTarget(bad);
  return null;
}

/** The error for a name, or null. */
export function nameError(raw: string): string | null {
  const n = [...raw.trim()].length;
  if (n === 0) return strings.validation.required(s.name.toLowerCase());
  if (n < 2) return strings.validation.minString(s.name.toLowerCase(), 2);
  if (n > 64) return strings.validation.maxString(s.name.toLowerCase(), 64);
  return null;
}

/** The form's starting values for a mount, or for a new one. */
export function initialValues(mount: Mount | null): Record<string, FieldValue> {
  return {
    name: mount?.name ?? '',
    description: mount?.description ?? '',
    source: mount?.source ?? '',
    target: mount?.target ?? '',
    read_only: mount?.read_only ?? false,
    user_mountable: mount?.user_mountable ?? false,
  };
}

/** The body of `POST /mounts` or `PATCH /mounts/{id}` for the form's values. */
export function mountBody(v: Record<string, FieldValue>): MountBody {
  const description = String(v.description ?? '').trim();
  return {
    name: String(v.name ?? '').trim(),
    description: description === '' ? null : description,
    source: String(v.source ?? '').trim(),
    target: String(v.target ?? '').trim(),
    read_only: v.read_only === true,
    user_mountable: v.user_mountable === true,
  };
}

/** What to link and unlink to go from `current` ids to `wanted` ids (both ascending). */
export function linkChanges(current: readonly number[], wanted: readonly number[]): { add: number[]; remove: number[] } {
  const have = new Set(current);
  const want = new Set(wanted);
  return {
    add: [...want].filter((id) => !have.has(id)).sort((a, b) => a - b),
    remove: [...have].filter((id) => !want.has(id)).sort((a, b) => a - b),
  };
}

/** The ids of an included list, or `[]` for a missing include or a null resource. */
export function relatedIds(rel: { data: { attributes: { id: number } }[] } | { object: 'null_resource' } | undefined): number[] {
  if (!rel || !('data' in rel)) return [];
  return rel.data.map((d) => d.attributes.id);
}

/** The link ids of a mount read with `include=eggs,nodes,servers`. */
export function mountLinks(m: Mount): { eggs: number[]; nodes: number[]; servers: number[] } {
  const r = m.relationships;
  return { eggs: relatedIds(r?.eggs), nodes: relatedIds(r?.nodes), servers: relatedIds(r?.servers) };
}

export interface ServerMount {
  mount: Mount;
  /** Linked to the server's node and egg, so wings mounts it. */
  applies: boolean;
}

/**
 * For a server: the mounts attached to it (and whether each applies), and the mounts it
 * could attach (linked to its node and egg, not attached yet).
 */
export function mountsForServer(mounts: readonly Mount[], server: { id: number; node: number; egg: number }): { attached: ServerMount[]; available: Mount[] } {
  const attached: ServerMount[] = [];
  const available: Mount[] = [];
  for (const m of mounts) {
    const l = mountLinks(m);
    const fits = l.eggs.includes(server.egg) && l.nodes.includes(server.node);
    if (l.servers.includes(server.id)) attached.push({ mount: m, applies: fits });
    else if (fits) available.push(m);
  }
  return { attached, available };
}
