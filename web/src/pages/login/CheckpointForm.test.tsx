import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithMantine } from '../../test/render';
import { CheckpointForm } from './CheckpointForm';

const ok = () => jsonResponse(200, { data: { complete: true, user: { username: 'admin' } } });

describe('CheckpointForm', () => {
  it('sends the 6-digit code with the confirmation token', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const fetchMock = vi.fn().mockResolvedValue(ok());
    vi.stubGlobal('fetch', fetchMock);
    const onSignedIn = vi.fn();
    const user = userEvent.setup();
    renderWithMantine(<CheckpointForm confirmationToken="ct" onSignedIn={onSignedIn} onBack={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('Enter the 6-digit code')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('Authentication code'), '12a3456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/auth/login/checkpoint');
    expect(JSON.parse(init.body as string)).toEqual({ confirmation_token: 'ct', authentication_code: '123456' });
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('accepts a recovery code instead, and shows the panel’s refusal', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(400, { errors: [{ code: 'DisplayException', status: '400', detail: 'The recovery token provided is not valid.' }] }));
    vi.stubGlobal('fetch', fetchMock);
    const user = userEvent.setup();
    renderWithMantine(<CheckpointForm confirmationToken="ct" onSignedIn={vi.fn()} onBack={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The recovery token provided is not valid.');
    expect(JSON.parse((fetchMock.mock.calls[0] as [string, RequestInit])[1].body as string)).toEqual({ confirmation_token: 'ct', recovery_token: 'abcd-efgh' });
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });
});
