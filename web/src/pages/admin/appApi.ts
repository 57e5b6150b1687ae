/** Small helpers for the application API (`/api/application`). */
import { useGet } from '../../api/query';
import type { List } from '../../api/types';

export const APP = '/api/application';

/** Every item of a (paginated) application list, up to 100 (enough for selects). */
export function useAppList<T>(path: string | null, params: Record<string, string> = {}) {
  const q = new URLSearchParams({ per_page: '100', ...params });
  const sep = path?.includes('?') ? '&' : '?';
  return useGet<List<T>>(path === null ? null : `${APP}${path}${sep}${q.toString()}`);
}

/** `{object, attributes}` → attributes. */
export const attrs = <T,>(list: List<T> | undefined): T[] => list?.data.map((d) => d.attributes) ?? [];
