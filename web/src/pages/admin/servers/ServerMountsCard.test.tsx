import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import { ServerMountsCard } from './ServerMountsCard';

const PATH = '/api/application/mounts';
const list = (ids: number[]) => ({ object: 'list', data: ids.map((id) => ({ object: 'x', attributes: { id } })) });
const mount = (id: number, eggs: number[], nodes: number[], servers: number[]) => ({
  object: 'mount',
  attributes: {
    id,
    uuid: `00000000-0000-4000-8000-00000000000${id}`,
    name: `mount-${id}`,
    description: null,
    source: `/srv/m${id}`,
    target: `/data/m${id}`,
    read_only: false,
    user_mountable: false,
    relationships: { eggs: list(eggs), nodes: list(nodes), servers: list(servers) },
  },
});

afterEach(() => vi.unstubAllGlobals());

describe('ServerMountsCard', () => {
  it('shows attached mounts with whether they apply, detaches and attaches', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn, calls } = routeFetch({
      [`GET ${PATH}`]: () =>
        jsonResponse(200, {
          object: 'list',
          // 1 applies; 2 is attached but linked to another node; 3 could be attached; 4 fits nothing.
          data: [mount(1, [5], [2], [9]), mount(2, [5], [3], [9]), mount(3, [5], [2], []), mount(4, [6], [2], [])],
        }),
      [`DELETE ${PATH}/2/servers/9`]: () => new Response(null, { status: 204 }),
      [`POST ${PATH}/3/servers`]: () => jsonResponse(200, mount(3, [5], [2], [9])),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<ServerMountsCard server={{ id: 9, node: 2, egg: 5 }} />);

    expect(await screen.findByText('mount-1')).toBeInTheDocument();
    expect(screen.getByText('Mounted')).toBeInTheDocument();
    expect(screen.getByText(/Not mounted/)).toBeInTheDocument();
    expect(screen.queryByText('mount-4')).not.toBeInTheDocument();

    await user.click(screen.getAllByRole('button', { name: 'Detach' })[1]!);
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([`${PATH}/2/servers/9`]));

    await user.click(screen.getAllByLabelText('Mount to attach')[0]!);
    await user.click(await screen.findByRole('option', { name: /mount-3/, hidden: true }));
    await user.click(screen.getByRole('button', { name: 'Attach' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe(`${PATH}/3/servers`);
    expect(JSON.parse(String(post?.init.body))).toEqual({ servers: [9] });
  });

  it('shows the panel’s message when a change fails', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn } = routeFetch({
      [`GET ${PATH}`]: () => jsonResponse(200, { object: 'list', data: [mount(1, [5], [2], [9])] }),
      [`DELETE ${PATH}/1/servers/9`]: () => jsonResponse(403, { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: 'This action is unauthorized.' }] }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<ServerMountsCard server={{ id: 9, node: 2, egg: 5 }} />);
    await user.click(await screen.findByRole('button', { name: 'Detach' }));
    expect(await screen.findByText('This action is unauthorized.')).toBeInTheDocument();
  });
});
