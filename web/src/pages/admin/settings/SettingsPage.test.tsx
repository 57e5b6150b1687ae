import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import SettingsPage from './SettingsPage';

const PATH = '/api/application/settings';
const SETTINGS = { two_factor_required: 0, client_allocations_enabled: false, client_allocations_range_start: null, client_allocations_range_end: null };

afterEach(() => vi.unstubAllGlobals());

async function fillRange(user: ReturnType<typeof userEvent.setup>, start: string, end: string) {
  await user.click(await screen.findByRole('switch', { name: /Let users add allocations/ }));
  await user.type(screen.getByRole('textbox', { name: 'Range start' }), start);
  await user.type(screen.getByRole('textbox', { name: 'Range end' }), end);
}

describe('SettingsPage', () => {
  it('checks the range before sending anything', async () => {
    const { fn, calls } = routeFetch({ [`GET ${PATH}`]: () => jsonResponse(200, { object: 'panel_settings', attributes: SETTINGS }) });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);
    await fillRange(user, '6000', '5000');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The range end must be greater than the range start.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);
  });

  it('sends every setting and shows the panel’s error under its field', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'panel_settings', attributes: SETTINGS }),
      [`PATCH ${PATH}`]: () =>
        jsonResponse(422, { errors: [{ code: 'ValidationException', status: '422', detail: 'The client allocations range end must be between 1024 and 65535.', meta: { source_field: 'client_allocations_range_end', rule: 'between' } }] }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);
    await fillRange(user, '30000', '30010');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    const body = JSON.parse(String(calls.find((c) => c.method === 'PATCH')?.init.body)) as unknown;
    expect(body).toEqual({ two_factor_required: 0, client_allocations_enabled: true, client_allocations_range_start: 30000, client_allocations_range_end: 30010 });
    expect(await screen.findByText('The client allocations range end must be between 1024 and 65535.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Range end' })).toHaveAttribute('aria-invalid', 'true');
  });
});
