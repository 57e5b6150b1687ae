/**
 * File uploads straight to wings: each file gets its own signed URL from the panel (the
 * tokens are single-use) and is POSTed as multipart field `files`, with progress from
 * XMLHttpRequest (fetch has no upload progress).
 */

export interface UploadProgress {
  loaded: number;
  total: number;
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

/** Appends `directory` to a signed upload URL. */
export function uploadUrl(signed: string, directory: string): string {
  const url = new URL(signed, window.location.href);
  url.searchParams.set('directory', directory);
  return url.toString();
}

/** Reads wings' `{"error": "..."}` body, else null. */
function wingsError(text: string): string | null {
  try {
    const v = JSON.parse(text) as { error?: unknown; errors?: { detail?: unknown }[] };
    if (typeof v.error === 'string') return v.error;
    const d = v.errors?.[0]?.detail;
    if (typeof d === 'string') return d;
  } catch {
    /* not JSON */
  }
  return null;
}

/**
 * Uploads `file` to `url`, reporting progress. Resolves on a 2xx; rejects with an
 * `UploadError` carrying wings' message otherwise (status 0: the node was unreachable).
 */
export function uploadFile(
  url: string,
  file: File,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
  messages: { unreachable: string; failed: (status: number) => string } = {
    unreachable: 'The node could not be reached',
    failed: (s) => `Upload failed (HTTP ${s})`,
  },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: file.size, total: file.size });
        resolve();
      } else {
        reject(new UploadError(wingsError(xhr.responseText) ?? messages.failed(xhr.status), xhr.status));
      }
    };
    xhr.onerror = () => reject(new UploadError(messages.unreachable, 0));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
}
