import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithMantine } from '../../test/render';
import { LoginForm } from './LoginForm';

function setup() {
  const onSignedIn = vi.fn();
  const user = userEvent.setup();
  renderWithMantine(<LoginForm onSignedIn={onSignedIn} />);
  return {
    onSignedIn,
    user,
    userField: screen.getByLabelText(/Username or email/),
    passwordField: screen.getByLabelText(/^Password/),
    submit: screen.getByRole('button', { name: 'Sign in' }),
  };
}

describe('LoginForm', () => {
  it('requires both fields and sends nothing when they are empty', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const { user, submit, userField } = setup();

    await user.click(submit);

    expect(await screen.findByText('Enter your username or email')).toBeInTheDocument();
    expect(screen.getByText('Enter your password')).toBeInTheDocument();
    expect(userField).toHaveAttribute('aria-invalid', 'true');
    expect(userField).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('requires the password when only the user is filled in', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const { user, userField, passwordField } = setup();

    await user.type(userField, 'admin{Enter}');

    expect(await screen.findByText('Enter your password')).toBeInTheDocument();
    expect(screen.queryByText('Enter your username or email')).not.toBeInTheDocument();
    expect(passwordField).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('shows the detail of a refused sign-in', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const fetchMock = vi.fn().mockResolvedValue(
      jsonResponse(400, {
        errors: [{ code: 'DisplayException', status: '400', detail: 'These credentials do not match our records.' }],
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const { user, userField, passwordField, onSignedIn } = setup();

    await user.type(userField, 'admin');
    await user.type(passwordField, 'wrong{Enter}');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('These credentials do not match our records.');
    expect(alert).not.toHaveTextContent(/something went wrong/i);
    expect(onSignedIn).not.toHaveBeenCalled();
    // The CSRF cookie first, then the one login attempt.
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/sanctum/csrf-cookie', '/auth/login']);
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('shows the status when the error body is not the envelope', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('<h1>502</h1>', { status: 502 })));
    const { user, userField, passwordField } = setup();

    await user.type(userField, 'admin');
    await user.type(passwordField, 'pw{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent('Request failed (HTTP 502)');
  });

  it('says the panel cannot be reached on a network failure', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const { user, userField, passwordField } = setup();

    await user.type(userField, 'admin');
    await user.type(passwordField, 'pw{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the panel');
  });

  it('posts the credentials and calls onSignedIn on success', async () => {
    document.cookie = 'XSRF-TOKEN=csrf%3Dtoken';
    const fetchMock = vi
      .fn()
      .mockResolvedValue(jsonResponse(200, { data: { complete: true, intended: '/', user: { uuid: 'u1', username: 'admin', email: 'a@example.com' } } }));
    vi.stubGlobal('fetch', fetchMock);
    const { user, userField, passwordField, submit, onSignedIn } = setup();

    await user.type(userField, ' admin ');
    await user.type(passwordField, 'secret');
    await user.click(submit);

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(onSignedIn.mock.calls[0]?.[0]).toMatchObject({ username: 'admin' });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/sanctum/csrf-cookie');
    const [url, init] = fetchMock.mock.calls[1] as [string, RequestInit];
    expect(url).toBe('/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    // The cookie's value, decoded, goes back in the header.
    expect((init.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('csrf=token');
    expect(JSON.parse(init.body as string)).toEqual({ user: 'admin', password: 'secret' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('hands over to the two-factor checkpoint when the account has it', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, { data: { complete: false, confirmation_token: 'ct-1' } })));
    const onCheckpoint = vi.fn();
    const user = userEvent.setup();
    const onSignedIn = vi.fn();
    renderWithMantine(<LoginForm onSignedIn={onSignedIn} onCheckpoint={onCheckpoint} />);
    await user.type(screen.getByLabelText(/Username or email/), 'admin');
    await user.type(screen.getByLabelText(/^Password/), 'pw{Enter}');
    await waitFor(() => expect(onCheckpoint).toHaveBeenCalledWith('ct-1'));
    expect(onSignedIn).not.toHaveBeenCalled();
  });
});
