import { useQuery } from '@tanstack/react-query';
import { strings } from '../strings';
import { ApiError, refreshCsrfCookie, request } from './client';
import type { components } from './schema';
import type { ClientAccount, Item } from './types';

/** The signed-in user, as `GET /api/client/account` and `POST /auth/login` describe them. */
export type SessionUser = ClientAccount;

export type LoginResult = { complete: true; user: SessionUser } | { complete: false; confirmationToken: string };

type LoginAnswer = components['schemas']['LoginAnswer'];
type LoginBody = components['schemas']['LoginBody'];
type CheckpointBody = components['schemas']['LoginCheckpointBody'];

function asUser(v: unknown): SessionUser | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const u = v as Record<string, unknown>;
  return typeof u.username === 'string' ? (u as unknown as SessionUser) : undefined;
}

/** Reads the answer defensively: a proxy or an older panel may send something else. */
function readLogin(res: Partial<LoginAnswer> | undefined): LoginResult {
  const data = res?.data as { complete?: unknown; user?: unknown; confirmation_token?: unknown } | undefined;
  if (data?.complete === false && typeof data.confirmation_token === 'string') {
    return { complete: false, confirmationToken: data.confirmation_token };
  }
  const u = data?.complete === true ? asUser(data.user) : undefined;
  if (!u) throw new ApiError(200, strings.errors.unexpectedResponse);
  return { complete: true, user: u };
}

/**
 * `POST /auth/login` with a username or e-mail and a password. Resolves with the user, or
 * with the confirmation token when the account has two-factor (then call `checkpoint`).
 */
export async function login(user: string, password: string): Promise<LoginResult> {
  await refreshCsrfCookie();
  return readLogin(await request<LoginAnswer>('POST', '/auth/login', { body: { user, password } satisfies LoginBody }));
}

/** `POST /auth/login/checkpoint` with a TOTP code or a recovery code. */
export async function checkpoint(
  confirmationToken: string,
  code: { authentication_code: string } | { recovery_token: string },
): Promise<SessionUser> {
  const body: CheckpointBody = { confirmation_token: confirmationToken, ...code };
  const res = readLogin(await request<LoginAnswer>('POST', '/auth/login/checkpoint', { body }));
  if (!res.complete) throw new ApiError(200, strings.errors.unexpectedResponse);
  return res.user;
}

export async function logout(): Promise<void> {
  await request('POST', '/auth/logout');
}

export async function forgotPassword(email: string): Promise<void> {
  await refreshCsrfCookie();
  await request('POST', '/auth/password', { body: { email } satisfies components['schemas']['ForgotPasswordBody'] });
}

export async function resetPassword(body: components['schemas']['ResetPasswordBody']): Promise<void> {
  await refreshCsrfCookie();
  await request('POST', '/auth/password/reset', { body });
}

/**
 * The user of the current session (`GET /api/client/account`), or `null` when there is no
 * session. Other failures throw `ApiError`.
 */
export async function fetchSessionUser(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    const res = await request<Item<unknown> | undefined>('GET', '/api/client/account', signal ? { signal } : {});
    return asUser(res?.attributes) ?? null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 419)) return null;
    throw e;
  }
}

export const SESSION_KEY = ['session'];

/** The session as a query: `data` is the user, or null when signed out. */
export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: ({ signal }) => fetchSessionUser(signal), staleTime: Infinity });
}
