/**
 * TanStack Query glue: one QueryClient, `useGet` keyed by the request path, and `useAction`
 * for mutations that refresh what they change and report failures with the panel's own
 * message (the `errors[0].detail` of its envelope).
 */
import {
  QueryClient,
  useMutation,
  useQuery,
  type UseQueryOptions,
} from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { ApiError, errorMessage, request } from './client';
import { strings } from '../strings';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        // 4xx answers are final; retry only an unreachable or failing panel.
        retry: (n, e) => n < 2 && e instanceof ApiError && (e.status === 0 || e.status >= 500),
      },
    },
  });
}

/** GET `path` (JSON), cached under `[path]`. A null path disables the query. */
export function useGet<T>(
  path: string | null,
  options: Omit<UseQueryOptions<T, ApiError, T, readonly unknown[]>, 'queryKey' | 'queryFn'> = {},
) {
  return useQuery<T, ApiError, T, readonly unknown[]>({
    queryKey: [path],
    queryFn: ({ signal }) => request<T>('GET', path as string, { signal }),
    enabled: path !== null && options.enabled !== false,
    ...options,
  });
}

/** Invalidates every cached GET whose path starts with one of `prefixes`. */
export function invalidate(client: QueryClient, prefixes: readonly string[]): Promise<void> {
  return client.invalidateQueries({
    predicate: (q) => {
      const k = q.queryKey[0];
      return typeof k === 'string' && prefixes.some((p) => k.startsWith(p));
    },
  });
}

export interface ActionOptions<V, R> {
  /** Path prefixes to refetch after success. */
  invalidate?: readonly string[];
  /** Toast on success. */
  success?: string | ((result: R, vars: V) => string);
  /** Toast failures (default true); forms that show errors inline pass false. */
  toastErrors?: boolean;
  onSuccess?: (result: R, vars: V) => void;
}

/** A mutation with the app's conventions (see file comment). */
export function useAction<V = void, R = unknown>(fn: (vars: V) => Promise<R>, options: ActionOptions<V, R> = {}) {
  return useMutation<R, unknown, V>({
    mutationFn: fn,
    onSuccess: async (result, vars, _ctx, { client }) => {
      if (options.invalidate?.length) await invalidate(client, options.invalidate);
      if (options.success) {
        const message = typeof options.success === 'function' ? options.success(result, vars) : options.success;
        notifications.show({ color: 'green', message });
      }
      options.onSuccess?.(result, vars);
    },
    onError: (e) => {
      if (options.toastErrors !== false) {
        notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
      }
    },
  });
}

/** Shorthand for `request` with a JSON body. */
export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T = void>(path: string, body?: unknown) => request<T>('POST', path, body === undefined ? {} : { body }),
  put: <T = void>(path: string, body?: unknown) => request<T>('PUT', path, body === undefined ? {} : { body }),
  patch: <T = void>(path: string, body?: unknown) => request<T>('PATCH', path, body === undefined ? {} : { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};
