/**
 * Pterodactyl's generic fractal envelope, as TypeScript generics over the GENERATED
 * attribute schemas (`schema.d.ts`): `{object, attributes}` items and `{object: "list",
 * data, meta?}` lists. The document spells out one envelope per resource
 * (`ClientServerItem`, `BackupPage`, …); these generics let small helpers (`attrs`,
 * `useAppList`) work on any of them.
 */

export interface Item<T, O extends string = string> {
  object: O;
  attributes: T;
}

export interface Pagination {
  total: number;
  count: number;
  per_page: number;
  current_page: number;
  total_pages: number;
}

export interface List<T, M = unknown> {
  object: 'list';
  data: Item<T>[];
  meta?: M & { pagination?: Pagination };
}
