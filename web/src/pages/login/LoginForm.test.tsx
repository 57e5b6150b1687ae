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
    expect(fetchMock).toHaveBeenCalledTimes(1);
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
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(JSON.parse(init.body as string)).toEqual({ user: 'admin', password: 'secret' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
