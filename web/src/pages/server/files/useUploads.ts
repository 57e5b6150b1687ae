import { useCallback, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { uploadFile, uploadUrl, UploadError } from '../../../lib/upload';
import { strings } from '../../../strings';

export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  status: 'queued' | 'uploading' | 'done' | 'failed';
  error?: string;
}

let nextId = 1;

/**
 * The upload queue of the file manager: files go two at a time, each with a fresh signed
 * URL, and every item keeps its own progress and error.
 */
export function useUploads(getUrl: () => Promise<string>, onDone: () => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const update = (id: number, patch: Partial<UploadItem>) => setItems((list) => list.map((i) => (i.id === id ? { ...i, ...patch } : i)));

  const upload = useCallback(
    async (files: File[], directory: string) => {
      const queued = files.map((f) => ({ file: f, item: { id: nextId++, name: f.name, size: f.size, loaded: 0, status: 'queued' as const } }));
      setItems((list) => [...list, ...queued.map((q) => q.item)]);
      let index = 0;
      const worker = async () => {
        while (index < queued.length) {
          const q = queued[index++];
          if (!q) break;
          update(q.item.id, { status: 'uploading' });
          try {
            const url = uploadUrl(await getUrl(), directory);
            await uploadFile(url, q.file, (p) => update(q.item.id, { loaded: p.loaded }), undefined, {
              unreachable: strings.errors.nodeUnreachable,
              failed: strings.errors.uploadFailed,
            });
            update(q.item.id, { status: 'done', loaded: q.file.size });
          } catch (e) {
            update(q.item.id, { status: 'failed', error: e instanceof UploadError ? e.message : errorMessage(e) });
          }
        }
      };
      await Promise.all([worker(), worker()]);
      onDone();
    },
    [getUrl, onDone],
  );

  const clearFinished = () => setItems((list) => list.filter((i) => i.status === 'queued' || i.status === 'uploading'));
  return { items, upload, clearFinished };
}
