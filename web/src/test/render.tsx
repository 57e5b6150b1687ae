import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createQueryClient } from '../api/query';
import { theme } from '../theme';

/** Renders `ui` inside the app's MantineProvider. */
export function renderWithMantine(ui: ReactElement) {
  return render(<MantineProvider theme={theme}>{ui}</MantineProvider>);
}

/** Renders `ui` with Mantine and a fresh QueryClient (no retries). */
export function renderWithProviders(ui: ReactElement) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return {
    client,
    ...render(
      <MantineProvider theme={theme}>
        <QueryClientProvider client={client}>{ui}</QueryClientProvider>
      </MantineProvider>,
    ),
  };
}

/** A `fetch` stub answering every call with `status` and `body` (a string is sent as is). */
export function jsonResponse(status: number, body: unknown): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { 'Content-Type': 'application/json' } });
}

/**
 * A fetch stub routing by `METHOD path` (path without query unless the key has one);
 * unknown requests get a 404 envelope. Records every call.
 */
export function routeFetch(routes: Record<string, (init: RequestInit, url: string) => Response | Promise<Response>>) {
  const calls: { method: string; url: string; init: RequestInit }[] = [];
  const fn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    calls.push({ method, url, init });
    const exact = routes[`${method} ${url}`];
    const handler = exact ?? routes[`${method} ${url.split('?')[0]}`];
    if (handler) return handler(init, url);
    return jsonResponse(404, { errors: [{ code: 'NotFoundHttpException', status: '404', detail: `no route for ${method} ${url}` }] });
  };
  return { fn, calls };
}
