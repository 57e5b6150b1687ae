import { strings } from '../strings';
import { ApiError, request } from './client';

/** The signed-in user, as the panel describes it. Only `username` is relied upon for now. */
export interface SessionUser {
  username: string;
  email?: string;
  [key: string]: unknown;
}

interface LoginResponse {
  data?: {
    complete?: boolean;
    user?: unknown;
  };
}

function asUser(v: unknown): SessionUser | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const u = v as Record<string, unknown>;
  return typeof u.username === 'string' ? (u as SessionUser) : undefined;
}

/**
 * Signs in with a username or email and a password (`POST /auth/login`). Resolves with the
 * user on success; throws `ApiError` otherwise, including when the panel asks for a second
 * factor, which this UI cannot do yet.
 */
export async function login(user: string, password: string, signal?: AbortSignal): Promise<SessionUser> {
  const res = await request<LoginResponse | undefined>('POST', '/auth/login', {
    body: { user, password },
    ...(signal ? { signal } : {}),
  });
  const data = res?.data;
  if (data?.complete === false) throw new ApiError(200, strings.errors.secondFactorUnsupported);
  const u = data?.complete === true ? asUser(data.user) : undefined;
  if (!u) throw new ApiError(200, strings.errors.unexpectedResponse);
  return u;
}

interface AccountResponse {
  attributes?: unknown;
}

/**
 * The user of the current session (`GET /api/client/account`), or `null` when there is no
 * session. Other failures throw `ApiError`.
 */
export async function fetchSessionUser(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    const res = await request<AccountResponse | undefined>('GET', '/api/client/account', signal ? { signal } : {});
    return asUser(res?.attributes) ?? null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}
