/** The file routes of the client API for one server (reference §2.1, `files/*`). */
import { request } from '../../../api/client';
import type {
  FileChmodBody,
  FileCopyBody,
  FileCreateFolderBody,
  FileDecompressBody,
  FileListBody,
  FileObject,
  FilePullBody,
  FileRenameBody,
  Item,
  List,
  SignedUrl,
} from '../../../api/types';

const q = (k: string, v: string) => `${k}=${encodeURIComponent(v)}`;

export function filesApi(base: string) {
  return {
    listPath: (dir: string) => `${base}/files/list?${q('directory', dir)}`,
    contents: (file: string) => request<string>('GET', `${base}/files/contents?${q('file', file)}`, { text: true }),
    write: (file: string, content: string) =>
      request('POST', `${base}/files/write?${q('file', file)}`, { rawBody: content, rawType: 'text/plain' }),
    rename: (root: string, files: { from: string; to: string }[]) => request('PUT', `${base}/files/rename`, { body: { root, files } satisfies FileRenameBody }),
    copy: (location: string) => request('POST', `${base}/files/copy`, { body: { location } satisfies FileCopyBody }),
    remove: (root: string, files: string[]) => request('POST', `${base}/files/delete`, { body: { root, files } satisfies FileListBody }),
    createFolder: (root: string, name: string) => request('POST', `${base}/files/create-folder`, { body: { root, name } satisfies FileCreateFolderBody }),
    chmod: (root: string, files: { file: string; mode: number }[]) => request('POST', `${base}/files/chmod`, { body: { root, files } satisfies FileChmodBody }),
    compress: (root: string, files: string[]) => request<Item<FileObject>>('POST', `${base}/files/compress`, { body: { root, files } satisfies FileListBody }),
    decompress: (root: string, file: string) => request('POST', `${base}/files/decompress`, { body: { root, file } satisfies FileDecompressBody }),
    // foreground: wings answers when the download is done (or failed), so the dialog can show it running and then its outcome.
    pull: (url: string, directory: string) => request('POST', `${base}/files/pull`, { body: { url, directory, use_header: true, foreground: true } satisfies FilePullBody }),
    downloadUrl: async (file: string) => (await request<Item<SignedUrl>>('GET', `${base}/files/download?${q('file', file)}`)).attributes.url,
    uploadUrl: async () => (await request<Item<SignedUrl>>('GET', `${base}/files/upload`)).attributes.url,
  };
}

export type FilesApi = ReturnType<typeof filesApi>;
export type FileList = List<FileObject>;
