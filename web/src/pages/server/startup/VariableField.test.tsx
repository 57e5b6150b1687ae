import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import { switchValues, VariableField } from './VariableField';

const variable = {
  name: 'Max Players',
  description: 'How many may join.',
  env_variable: 'MAX_PLAYERS',
  default_value: '10',
  server_value: '10',
  is_editable: true,
  rules: 'required|integer|between:1,255',
};

describe('VariableField', () => {
  it('checks the egg rules as the user types and sends nothing invalid', async () => {
    const user = userEvent.setup();
    const { fn, calls } = routeFetch({});
    vi.stubGlobal('fetch', vi.fn(fn));
    renderWithProviders(<VariableField variable={variable} path="/api/client/servers/abc/startup/variable" canEdit />);
    const input = screen.getByRole('textbox', { name: 'Max Players' });
    await user.clear(input);
    expect(await screen.findByText('The Max Players field is required.')).toBeInTheDocument();
    await user.type(input, '999');
    expect(screen.getByText('The Max Players must be between 1 and 255.')).toBeInTheDocument();
    await user.keyboard('{Enter}');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
  });

  it('saves a valid value and shows the panel’s own 422 message inline', async () => {
    const user = userEvent.setup();
    document.cookie = 'XSRF-TOKEN=tok';
    const { fn, calls } = routeFetch({
      'PUT /api/client/servers/abc/startup/variable': () =>
        jsonResponse(422, { errors: [{ code: 'ValidationException', status: '422', detail: 'The value may not be 13.', meta: { source_field: 'value', rule: 'not_in' } }] }),
    });
    vi.stubGlobal('fetch', vi.fn(fn));
    renderWithProviders(<VariableField variable={variable} path="/api/client/servers/abc/startup/variable" canEdit />);
    const input = screen.getByRole('textbox', { name: 'Max Players' });
    await user.clear(input);
    await user.type(input, '13{Enter}');
    expect(await screen.findByText('The value may not be 13.')).toBeInTheDocument();
    const put = calls.find((c) => c.method === 'PUT');
    expect(JSON.parse(put!.init.body as string)).toEqual({ key: 'MAX_PLAYERS', value: '13' });
    expect((put!.init.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('tok');
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('is read-only when the egg says so', () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch({}).fn));
    renderWithProviders(<VariableField variable={{ ...variable, is_editable: false }} path="/x" canEdit />);
    expect(screen.getByRole('textbox', { name: 'Max Players' })).toBeDisabled();
    expect(screen.getByText('Read only')).toBeInTheDocument();
  });

  it('renders boolean-like variables as a switch', async () => {
    expect(switchValues('required|boolean')).toEqual(['0', '1']);
    expect(switchValues('required|in:true,false')).toEqual(['false', 'true']);
    expect(switchValues('required|in:a,b,c')).toBeNull();
    const user = userEvent.setup();
    document.cookie = 'XSRF-TOKEN=tok';
    const { fn, calls } = routeFetch({ 'PUT /v': () => new Response(null, { status: 204 }), 'GET /': () => jsonResponse(200, {}) });
    vi.stubGlobal('fetch', vi.fn(fn));
    renderWithProviders(<VariableField variable={{ ...variable, rules: 'required|boolean', server_value: '0' }} path="/v" canEdit />);
    await user.click(screen.getByRole('switch'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(JSON.parse(calls.find((c) => c.method === 'PUT')!.init.body as string)).toEqual({ key: 'MAX_PLAYERS', value: '1' });
    document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });
});
