import { strings } from '../strings';

/** One entry of the panel's (Pterodactyl's) error envelope `{"errors":[...]}`. */
export interface ApiErrorEntry {
  code: string;
  status: string;
  detail: string;
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

  constructor(status: number, detail: string, code?: string) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.code = code;
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
  return {
    code: typeof first.code === 'string' ? first.code : '',
    status: typeof first.status === 'string' ? first.status : String(first.status ?? ''),
    detail: first.detail,
  };
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
  if (entry) return new ApiError(status, entry.detail, entry.code || undefined);
  return new ApiError(status, strings.errors.requestFailed(status));
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls the panel's API on the same origin and returns the parsed JSON body (`undefined`
 * for an empty body). Throws `ApiError` for a network failure, a non-2xx status, or a 2xx
 * body that is not JSON.
 */
export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let response: Response;
  let text: string;
  try {
    response = await fetch(path, init);
    text = await response.text();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, strings.errors.network);
  }

  if (!response.ok) throw errorFromResponse(response.status, text);
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, strings.errors.unexpectedResponse);
  }
}
