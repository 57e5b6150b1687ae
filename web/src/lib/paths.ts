/** Path helpers for the file manager: every path is absolute inside the server (`/a/b`). */

/** Collapses duplicate slashes, resolves `.` and `..`, and returns `/`-rooted paths. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

export function join(dir: string, name: string): string {
  return normalize(`${dir}/${name}`);
}

export function parent(path: string): string {
  return normalize(`${normalize(path)}/..`);
}

export function basename(path: string): string {
  const n = normalize(path);
  return n.slice(n.lastIndexOf('/') + 1);
}

export interface Crumb {
  name: string;
  path: string;
}

/** `/a/b` → [{name: '/', path: '/'}, {name: 'a', path: '/a'}, {name: 'b', path: '/a/b'}]. */
export function breadcrumbs(path: string): Crumb[] {
  const crumbs: Crumb[] = [{ name: '/', path: '/' }];
  let acc = '';
  for (const part of normalize(path).split('/').filter(Boolean)) {
    acc += '/' + part;
    crumbs.push({ name: part, path: acc });
  }
  return crumbs;
}

interface Sortable {
  name: string;
  is_file: boolean;
}

/** Folders first, then files, each by name (natural order, case-insensitive). */
export function sortEntries<T extends Sortable>(entries: readonly T[]): T[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...entries].sort((a, b) => {
    if (a.is_file !== b.is_file) return a.is_file ? 1 : -1;
    return collator.compare(a.name, b.name);
  });
}

/** File names that may be sent to the panel: no slashes, not empty, not `.`/`..`. */
export function isValidName(name: string): boolean {
  const n = name.trim();
  return n !== '' && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0');
}

const ARCHIVE = /\.(zip|tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst|gz|bz2|xz|zst|7z|rar)$/i;

export function isArchive(name: string): boolean {
  return ARCHIVE.test(name);
}

/** The editor language for a file name (loaded lazily by the editor), or null for plain text. */
export type EditorLanguage =
  | 'json'
  | 'yaml'
  | 'xml'
  | 'javascript'
  | 'python'
  | 'properties'
  | 'shell'
  | 'toml'
  | 'lua';

export function languageFor(name: string): EditorLanguage | null {
  const lower = name.toLowerCase();
  const ext = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : '';
  switch (ext) {
    case 'json':
    case 'json5':
    case 'mcmeta':
      return 'json';
    case 'yml':
    case 'yaml':
      return 'yaml';
    case 'xml':
    case 'html':
    case 'htm':
    case 'svg':
      return 'xml';
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'ts':
      return 'javascript';
    case 'py':
      return 'python';
    case 'properties':
    case 'cfg':
    case 'conf':
    case 'ini':
    case 'env':
      return 'properties';
    case 'sh':
    case 'bash':
      return 'shell';
    case 'toml':
      return 'toml';
    case 'lua':
      return 'lua';
    default:
      return null;
  }
}

/** Octal mode bits typed by a user (`644`, `0755`) → the 3–4 digit string, or null. */
export function parseMode(input: string): string | null {
  const t = input.trim();
  return /^[0-7]{3,4}$/.test(t) ? t.replace(/^0(?=[0-7]{3}$)/, '') : null;
}
