import { describe, expect, it, vi, beforeEach } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from './test/render';
import { App } from './App';

const unauthenticated = () => jsonResponse(401, { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] });
const account = { id: 1, admin: false, username: 'alice', email: 'a@example.com', first_name: 'A', last_name: 'L', language: 'en' };
const emptyList = () => jsonResponse(200, { object: 'list', data: [], meta: { pagination: { total: 0, count: 0, per_page: 24, current_page: 1, total_pages: 1 } } });

describe('App', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/');
    document.cookie = 'XSRF-TOKEN=t';
  });

  it('sends a signed-out visitor to the login page, remembering where they were going', async () => {
    window.history.replaceState(null, '', '/account');
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(unauthenticated()));
    renderWithProviders(<App />);

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/auth/login');
    expect(window.location.search).toBe('?next=%2Faccount');
    expect(screen.getByRole('heading', { name: 'Aerie' })).toBeInTheDocument();
  });

  it('signs in and shows the server list', async () => {
    let signedIn = false;
    const { fn } = routeFetch({
      'GET /api/client/account': () => (signedIn ? jsonResponse(200, { object: 'user', attributes: account }) : unauthenticated()),
      'GET /sanctum/csrf-cookie': () => new Response(null, { status: 204 }),
      'POST /auth/login': () => {
        signedIn = true;
        return jsonResponse(200, { data: { complete: true, user: account } });
      },
      'GET /api/client': emptyList,
    });
    vi.stubGlobal('fetch', vi.fn(fn));
    const user = userEvent.setup();
    renderWithProviders(<App />);

    await user.type(await screen.findByLabelText(/Username or email/), 'alice');
    await user.type(screen.getByLabelText(/^Password/), 'pw{Enter}');

    expect(await screen.findByRole('heading', { name: 'Your servers' })).toBeInTheDocument();
    expect(await screen.findByText('You have no servers yet.')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  });

  it('goes through the two-factor checkpoint', async () => {
    const { fn, calls } = routeFetch({
      'GET /api/client/account': unauthenticated,
      'GET /sanctum/csrf-cookie': () => new Response(null, { status: 204 }),
      'POST /auth/login': () => jsonResponse(200, { data: { complete: false, confirmation_token: 'ct' } }),
      'POST /auth/login/checkpoint': () => jsonResponse(200, { data: { complete: true, user: account } }),
      'GET /api/client': emptyList,
    });
    vi.stubGlobal('fetch', vi.fn(fn));
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.type(await screen.findByLabelText(/Username or email/), 'alice');
    await user.type(screen.getByLabelText(/^Password/), 'pw{Enter}');
    await user.type(await screen.findByLabelText('Authentication code'), '654321{Enter}');
    expect(await screen.findByRole('heading', { name: 'Your servers' })).toBeInTheDocument();
    expect(calls.some((c) => c.url === '/auth/login/checkpoint')).toBe(true);
  });

  it('signs in straight away with an existing session, and hides admin links from non-admins', async () => {
    window.history.replaceState(null, '', '/auth/login');
    const { fn } = routeFetch({ 'GET /api/client/account': () => jsonResponse(200, { object: 'user', attributes: account }), 'GET /api/client': emptyList });
    vi.stubGlobal('fetch', vi.fn(fn));
    renderWithProviders(<App />);

    expect(await screen.findByRole('heading', { name: 'Your servers' })).toBeInTheDocument();
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(screen.queryByRole('link', { name: 'Administration' })).not.toBeInTheDocument();
  });

  it('keeps non-admins out of /admin', async () => {
    window.history.replaceState(null, '', '/admin/nodes');
    const { fn } = routeFetch({ 'GET /api/client/account': () => jsonResponse(200, { object: 'user', attributes: account }), 'GET /api/client': emptyList });
    vi.stubGlobal('fetch', vi.fn(fn));
    renderWithProviders(<App />);
    await waitFor(() => expect(window.location.pathname).toBe('/'));
  });
});
