import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import MountsPage from './MountsPage';

const PATH = '/api/application/mounts';
const list = (ids: number[], object = 'x') => ({ object: 'list', data: ids.map((id) => ({ object, attributes: { id, name: `${object}-${id}` } })) });
const MOUNT = {
  id: 4,
  uuid: '00000000-0000-4000-8000-000000000004',
  name: 'maps',
  description: null,
  source: '/srv/maps',
  target: '/data/maps',
  read_only: true,
  user_mountable: false,
};
const withLinks = { ...MOUNT, relationships: { eggs: list([1], 'egg'), nodes: list([7], 'node'), servers: list([20, 21], 'server') } };

afterEach(() => vi.unstubAllGlobals());

describe('MountsPage', () => {
  it('checks paths before sending, shows the panel’s 422 inline, then offers the links', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    let posts = 0;
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [] }),
      [`POST ${PATH}`]: () =>
        ++posts === 1
          ? jsonResponse(422, { errors: [{ code: 'ValidationException', status: '422', detail: 'The name has already been taken.', meta: { source_field: 'name', rule: 'unique' } }] })
          : jsonResponse(201, { object: 'mount', attributes: MOUNT, meta: { resource: `http://x${PATH}/4` } }),
      'GET /api/application/nests': () => jsonResponse(200, { object: 'list', data: [] }),
      'GET /api/application/nodes': () => jsonResponse(200, { object: 'list', data: [] }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<MountsPage />);

    await user.click(await screen.findByRole('button', { name: 'New mount' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'maps');
    await user.type(within(dialog).getByRole('textbox', { name: /Source/ }), 'srv/maps');
    await user.type(within(dialog).getByRole('textbox', { name: /Target/ }), '/home/container/maps');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText(/absolute path/)).toBeInTheDocument();
    expect(within(dialog).getByText(/cannot be used as a target/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    const source = within(dialog).getByRole('textbox', { name: /Source/ });
    await user.clear(source);
    await user.type(source, '/srv/maps');
    const target = within(dialog).getByRole('textbox', { name: /Target/ });
    await user.clear(target);
    await user.type(target, '/data/maps');
    await user.click(within(dialog).getByRole('switch', { name: 'Read-only' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(within(dialog).getByRole('textbox', { name: /Name/ })).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText('The name has already been taken.')).toBeInTheDocument();
    const body = JSON.parse(String(calls.find((c) => c.method === 'POST')?.init.body)) as Record<string, unknown>;
    expect(body).toEqual({ name: 'maps', description: null, source: '/srv/maps', target: '/data/maps', read_only: true, user_mountable: false });

    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    // Created: the dialog now edits the mount and offers its links.
    expect(await screen.findByRole('button', { name: 'Save links' })).toBeInTheDocument();
  });

  it('saves link changes as adds and removes', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [{ object: 'mount', attributes: withLinks }] }),
      'GET /api/application/nests': () =>
        jsonResponse(200, { object: 'list', data: [{ object: 'nest', attributes: { id: 1, name: 'Games', relationships: { eggs: list([1, 2], 'egg') } } }] }),
      'GET /api/application/nodes': () => jsonResponse(200, list([7, 8], 'node')),
      [`POST ${PATH}/4/nodes`]: () => jsonResponse(200, { object: 'mount', attributes: MOUNT }),
      [`DELETE ${PATH}/4/eggs/1`]: () => new Response(null, { status: 204 }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<MountsPage />);

    expect(await screen.findByText('/srv/maps → /data/maps')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    // Drop egg 1, add node 8.
    await user.click(await within(dialog).findByLabelText('Nodes'));
    await user.click(await screen.findByRole('option', { name: 'node-8', hidden: true }));
    const eggs = within(dialog).getByLabelText('Eggs');
    await user.click(eggs);
    await user.click(await screen.findByRole('option', { name: 'egg-1', hidden: true }));
    await user.click(within(dialog).getByRole('button', { name: 'Save links' }));

    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe(`${PATH}/4/nodes`);
    expect(JSON.parse(String(post?.init.body))).toEqual({ nodes: [8] });
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([`${PATH}/4/eggs/1`]);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('says how many servers lose a mount before deleting it', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [{ object: 'mount', attributes: withLinks }] }),
      [`DELETE ${PATH}/4`]: () => new Response(null, { status: 204 }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<MountsPage />);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/attached to 2 servers/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
  });
});
