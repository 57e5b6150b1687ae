import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import ApiKeysPage from './ApiKeysPage';

const PATH = '/api/application/api-keys';
const KEY = {
  identifier: 'ptla_abcdefghijk',
  memo: 'Billing',
  allowed_ips: [],
  r_servers: 0,
  r_nodes: 0,
  r_allocations: 0,
  r_users: 0,
  r_locations: 1,
  r_nests: 0,
  r_eggs: 0,
  r_database_hosts: 0,
  r_server_databases: 0,
  r_mounts: 0,
  last_used_at: null,
  created_at: '2026-01-01T00:00:00+00:00',
};

// jsdom has no layout; Mantine's option list scrolls the active option into view.
beforeAll(() => {
  Element.prototype.scrollIntoView ??= () => undefined;
});
afterEach(() => vi.unstubAllGlobals());

describe('ApiKeysPage', () => {
  it('creates a key with the chosen permission and shows its token once', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [] }),
      [`POST ${PATH}`]: () => jsonResponse(201, { object: 'application_api_key', attributes: KEY, meta: { token: `${KEY.identifier}${'s'.repeat(32)}` } }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<ApiKeysPage />);

    await user.click(await screen.findByRole('button', { name: 'New application key' }));
    const dialog = await screen.findByRole('dialog');
    // Without a memo nothing is sent.
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('The description field is required.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await user.type(within(dialog).getByRole('textbox', { name: /Description/ }), 'Billing');
    const locations = within(dialog).getByLabelText('Locations');
    await user.click(locations);
    // Every select's option list is in the document; pick from the one this select opened.
    const listbox = await waitFor(() => {
      const el = document.getElementById(locations.getAttribute('aria-controls') ?? '');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    await user.click(within(listbox).getByRole('option', { name: 'Read', hidden: true }));
    expect(locations).toHaveValue('Read');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    const body = JSON.parse(String(calls.find((c) => c.method === 'POST')?.init.body)) as Record<string, unknown>;
    expect(body).toMatchObject({ memo: 'Billing', allowed_ips: [], r_locations: 1, r_nodes: 0, r_mounts: 0 });
    expect(await screen.findByText(/only time the key is shown/)).toBeInTheDocument();
    expect(screen.getByDisplayValue(`${KEY.identifier}${'s'.repeat(32)}`)).toBeInTheDocument();
  });

  it('shows the panel’s validation message under the field it names', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [] }),
      [`POST ${PATH}`]: () =>
        jsonResponse(422, { errors: [{ code: 'ValidationException', status: '422', detail: 'The allowed_ips.0 must be a valid IP address or CIDR range.', meta: { source_field: 'allowed_ips.0', rule: 'ip' } }] }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<ApiKeysPage />);

    await user.click(await screen.findByRole('button', { name: 'New application key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: /Description/ }), 'Billing');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    const ips = within(dialog).getByRole('textbox', { name: /Allowed IPs/ });
    await waitFor(() => expect(ips).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText('The allowed_ips.0 must be a valid IP address or CIDR range.')).toBeInTheDocument();
  });

  it('stops showing the token once its key is deleted', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    let keys: (typeof KEY)[] = [];
    const token = `${KEY.identifier}${'s'.repeat(32)}`;
    const { fn } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: keys.map((k) => ({ object: 'application_api_key', attributes: k })) }),
      [`POST ${PATH}`]: () => {
        keys = [KEY];
        return jsonResponse(201, { object: 'application_api_key', attributes: KEY, meta: { token } });
      },
      [`DELETE ${PATH}/${KEY.identifier}`]: () => {
        keys = [];
        return new Response(null, { status: 204 });
      },
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<ApiKeysPage />);

    await user.click(await screen.findByRole('button', { name: 'New application key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: /Description/ }), 'Billing');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await screen.findByDisplayValue(token)).toBeInTheDocument();

    const row = (await screen.findByText(KEY.identifier)).closest('tr') as HTMLElement;
    await user.click(within(row).getByRole('button', { name: 'Delete' }));
    // The confirmation, not the create dialog still closing.
    const confirm = await screen.findByRole('dialog', { name: 'Delete' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByDisplayValue(token)).not.toBeInTheDocument());
    expect(screen.queryByText(/only time the key is shown/)).not.toBeInTheDocument();
  });

  it('lists keys with their access', async () => {
    vi.stubGlobal('fetch', routeFetch({ [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [{ object: 'application_api_key', attributes: KEY }] }) }).fn);
    renderWithProviders(<ApiKeysPage />);
    expect(await screen.findByText('ptla_abcdefghijk')).toBeInTheDocument();
    expect(screen.getByText('Locations: Read')).toBeInTheDocument();
  });
});
