/** Egg files as the import/export routes exchange them (PTDL_v2 JSON). */
import { request } from '../../../api/client';
import { APP } from '../appApi';

export interface ExportedVariable {
  name: string;
  description: string;
  env_variable: string;
  default_value: string;
  user_viewable: boolean;
  user_editable: boolean;
  rules: string;
  field_type?: string;
}

export type EggExportDoc = Record<string, unknown> & { name: string; variables?: ExportedVariable[] };

export const exportPath = (nest: number | string, egg: number | string) => `${APP}/nests/${nest}/eggs/${egg}/export`;

export async function fetchExport(nest: number | string, egg: number | string): Promise<EggExportDoc> {
  return request<EggExportDoc>('GET', exportPath(nest, egg));
}

/** Imports (or updates in place) an egg from its file text. */
export function importEgg(nest: number | string, text: string) {
  return request<{ attributes: { id: number; name: string } }>('POST', `${APP}/nests/${nest}/eggs/import`, {
    rawBody: text,
    rawType: text.trimStart().startsWith('{') ? 'application/json' : 'application/yaml',
  });
}

/** Saves `doc` as `<name>.json` through a temporary link. */
export function downloadJson(doc: unknown, name: string): void {
  const blob = new Blob([JSON.stringify(doc, null, 4)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `egg-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
