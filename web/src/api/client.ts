import { strings } from '../strings';

/** One entry of the panel's (Pterodactyl's) error envelope `{"errors":[...]}`. */
export interface ApiErrorEntry {
  code: string;
  status: string;
  detail: string;
  /** The request field a validation error is about (`meta.source_field`), when given. */
  field?: string;
}

/**
 * A failed API call. `status` is the HTTP status, or 0 when the panel could not be reached
 * at all. `detail` is always a sentence fit to show the user.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  /** The envelope's machine-readable code (`ValidationException`, ...), when it had one. */
  readonly code: string | undefined;
  /** For a 422: the field the panel complained about (`meta.source_field`). */
  readonly field: string | undefined;

  constructor(status: number, detail: string, code?: string, field?: string) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.code = code;
    this.field = field;
  }

  /** True when no HTTP response arrived (panel down, network gone, CORS, ...). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the first entry of a Pterodactyl error envelope, or `undefined` when `body` is not
 * one (or its detail is empty).
 */
export function parseErrorEnvelope(body: unknown): ApiErrorEntry | undefined {
  if (!isRecord(body) || !Array.isArray(body.errors)) return undefined;
  const first: unknown = body.errors[0];
  if (!isRecord(first) || typeof first.detail !== 'string' || first.detail.trim() === '') return undefined;
  const entry: ApiErrorEntry = {
    code: typeof first.code === 'string' ? first.code : '',
    status: typeof first.status === 'string' ? first.status : String(first.status ?? ''),
    detail: first.detail,
  };
  const meta = first.meta;
  if (isRecord(meta) && typeof meta.source_field === 'string') entry.field = meta.source_field;
  return entry;
}

/** Builds the `ApiError` for a non-2xx response from its status and raw body text. */
export function errorFromResponse(status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const entry = parseErrorEnvelope(body);
  if (entry) return new ApiError(status, entry.detail, entry.code || undefined, entry.field);
  return new ApiError(status, strings.errors.requestFailed(status));
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a file's contents, an egg); wins over `body`. */
  rawBody?: BodyInit;
  /** Content-Type of `rawBody` (default `text/plain`). */
  rawType?: string;
  /** Read the 2xx body as text instead of JSON. */
  text?: boolean;
  signal?: AbortSignal;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of cookie `name` in `document.cookie`, decoded, or undefined. */
export function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

let csrfFetch: Promise<void> | null = null;

/** Asks the panel for an `XSRF-TOKEN` cookie (`GET /sanctum/csrf-cookie`); one call at a time. */
export function refreshCsrfCookie(): Promise<void> {
  csrfFetch ??= fetch('/sanctum/csrf-cookie', { credentials: 'same-origin' })
    .then(() => undefined, () => undefined)
    .finally(() => {
      csrfFetch = null;
    });
  return csrfFetch;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.rawBody !== undefined) {
    headers['Content-Type'] = options.rawType ?? 'text/plain';
    init.body = options.rawBody;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (!SAFE.has(method)) {
    // Sanctum-style CSRF: every state-changing request echoes the XSRF-TOKEN cookie.
    if (readCookie('XSRF-TOKEN') === undefined) await refreshCsrfCookie();
    const token = readCookie('XSRF-TOKEN');
    if (token !== undefined) headers['X-XSRF-TOKEN'] = token;
  }
  if (options.signal) init.signal = options.signal;
  return fetch(path, init);
}

/**
 * Calls the panel's API on the same origin and returns the parsed JSON body (`undefined`
 * for an empty body, the text with `text: true`). Throws `ApiError` for a network failure,
 * a non-2xx status, or a 2xx body that is not JSON. A 419 (stale CSRF token) is retried
 * once with a fresh token.
 */
export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  let text: string;
  try {
    response = await send(method, path, options);
    if (response.status === 419) {
      await refreshCsrfCookie();
      response = await send(method, path, options);
    }
    text = await response.text();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, strings.errors.network);
  }

  if (!response.ok) throw errorFromResponse(response.status, text);
  if (options.text) return text as T;
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, strings.errors.unexpectedResponse);
  }
}

/** The sentence to show for any thrown value: the panel's `detail` for an `ApiError`. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.detail;
  if (e instanceof Error && e.message) return e.message;
  return strings.errors.unknown;
}
