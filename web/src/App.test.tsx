import { describe, expect, it, vi, beforeEach } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithMantine } from './test/render';
import { App } from './App';

const unauthenticated = () =>
  jsonResponse(401, { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] });

describe('App', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));

  it('sends a signed-out visitor from / to the login page', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(unauthenticated()));
    renderWithMantine(<App />);

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/auth/login');
    expect(screen.getByRole('heading', { name: 'Aerie' })).toBeInTheDocument();
  });

  it('shows the signed-in placeholder after a successful sign-in', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(unauthenticated())
      .mockResolvedValueOnce(jsonResponse(200, { data: { complete: true, user: { username: 'alice' } } }));
    vi.stubGlobal('fetch', fetchMock);
    const user = userEvent.setup();
    renderWithMantine(<App />);

    await user.type(await screen.findByLabelText(/Username or email/), 'alice');
    await user.type(screen.getByLabelText(/^Password/), 'pw{Enter}');

    expect(await screen.findByText('Signed in as alice')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  });

  it('signs in straight away with an existing session', async () => {
    window.history.replaceState(null, '', '/auth/login');
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, { object: 'user', attributes: { username: 'bob' } })));
    renderWithMantine(<App />);

    expect(await screen.findByText('Signed in as bob')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  });
});
