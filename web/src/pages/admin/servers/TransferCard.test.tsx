import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import type { Allocation, ServerTransfer } from '../../../api/types';
import { freeAllocations, progressText, TransferCard, transferPhase } from './TransferCard';

const APP = '/api/application';
const TRANSFER = `${APP}/servers/9/transfer`;
const node = (id: number, name: string) => ({ object: 'node', attributes: { id, name } });
const alloc = (id: number, port: number, assigned: boolean) => ({ object: 'allocation', attributes: { id, ip: '10.0.0.2', alias: null, port, notes: null, assigned } });
const transfer = (successful: boolean | null): { object: string; attributes: ServerTransfer } => ({
  object: 'server_transfer',
  attributes: {
    id: 1,
    server_id: 9,
    successful,
    old_node: 1,
    new_node: 2,
    old_allocation: 5,
    new_allocation: 10,
    old_additional_allocations: [],
    new_additional_allocations: [],
    archived: false,
    created_at: '2026-01-01T00:00:00+00:00',
    updated_at: '2026-01-01T00:00:00+00:00',
  },
});
const notFound = () => jsonResponse(404, { errors: [{ code: 'NotFoundHttpException', status: '404', detail: 'This server has never been transferred.' }] });
const nodes = () => jsonResponse(200, { object: 'list', data: [node(1, 'alpha'), node(2, 'bravo')] });

afterEach(() => vi.unstubAllGlobals());

describe('transfer helpers', () => {
  it('reads the phase from successful', () => {
    expect(transferPhase(null)).toBe('none');
    expect(transferPhase(transfer(null).attributes)).toBe('running');
    expect(transferPhase(transfer(true).attributes)).toBe('succeeded');
    expect(transferPhase(transfer(false).attributes)).toBe('failed');
  });
  it('offers only free allocations, without the primary', () => {
    const list = [alloc(10, 1, false), alloc(11, 2, true), alloc(12, 3, false)].map((a) => a.attributes as unknown as Allocation);
    expect(freeAllocations(list).map((a) => a.id)).toEqual([10, 12]);
    expect(freeAllocations(list, 10).map((a) => a.id)).toEqual([12]);
  });
});

describe('TransferCard', () => {
  it('starts a transfer with free allocations on the chosen node, then follows it', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    let current: ReturnType<typeof transfer> | null = null;
    const { fn, calls } = routeFetch({
      [`GET ${TRANSFER}`]: () => (current ? jsonResponse(200, current) : notFound()),
      [`GET ${APP}/nodes`]: nodes,
      [`GET ${APP}/nodes/2/allocations`]: () => jsonResponse(200, { object: 'list', data: [alloc(10, 26000, false), alloc(11, 26001, true), alloc(12, 26002, false)] }),
      [`POST ${TRANSFER}`]: () => {
        current = transfer(null);
        return jsonResponse(202, current);
      },
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<TransferCard server={{ id: 9, name: 'Mover', node: 1 }} />);

    await user.click((await screen.findAllByLabelText('Target node'))[0]!);
    // The server's own node is not offered.
    expect(screen.queryByRole('option', { name: 'alpha', hidden: true })).not.toBeInTheDocument();
    await user.click(await screen.findByRole('option', { name: 'bravo', hidden: true }));
    await user.click(screen.getAllByLabelText('Primary allocation on the target')[0]!);
    const options = () => within(screen.getByRole('listbox', { name: 'Primary allocation on the target', hidden: true }));
    expect(await options().findByRole('option', { name: '10.0.0.2:26000', hidden: true })).toBeInTheDocument();
    expect(options().queryByRole('option', { name: '10.0.0.2:26001', hidden: true })).not.toBeInTheDocument();
    await user.click(options().getByRole('option', { name: '10.0.0.2:26000', hidden: true }));

    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Start transfer' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(JSON.parse(String(post?.init.body))).toEqual({ node_id: 2, allocation_id: 10, allocation_additional: [] });
    expect(await screen.findByText('Moving from alpha to bravo…')).toBeInTheDocument();
  });

  it('shows the panel’s message when the transfer cannot start', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    const { fn } = routeFetch({
      [`GET ${TRANSFER}`]: notFound,
      [`GET ${APP}/nodes`]: nodes,
      [`GET ${APP}/nodes/2/allocations`]: () => jsonResponse(200, { object: 'list', data: [alloc(10, 26000, false)] }),
      [`POST ${TRANSFER}`]: () =>
        jsonResponse(503, { errors: [{ code: 'HttpException', status: '503', detail: 'Could not establish a connection to the machine running this server. Please try again.' }] }),
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<TransferCard server={{ id: 9, name: 'Mover', node: 1 }} />);
    await user.click((await screen.findAllByLabelText('Target node'))[0]!);
    await user.click(await screen.findByRole('option', { name: 'bravo', hidden: true }));
    await user.click(screen.getAllByLabelText('Primary allocation on the target')[0]!);
    await user.click(await within(screen.getByRole('listbox', { name: 'Primary allocation on the target', hidden: true })).findByRole('option', { name: '10.0.0.2:26000', hidden: true }));
    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Start transfer' }));
    expect(await screen.findByText(/Could not establish a connection/)).toBeInTheDocument();
  });

  it('cancels a running transfer and then shows that it failed', async () => {
    document.cookie = 'XSRF-TOKEN=t';
    let current = transfer(null);
    const { fn, calls } = routeFetch({
      [`GET ${TRANSFER}`]: () => jsonResponse(200, current),
      [`GET ${APP}/nodes`]: nodes,
      [`DELETE ${TRANSFER}`]: () => {
        current = transfer(false);
        return jsonResponse(200, current);
      },
    });
    vi.stubGlobal('fetch', fn);
    const user = userEvent.setup();
    renderWithProviders(<TransferCard server={{ id: 9, name: 'Mover', node: 1 }} />);
    expect(await screen.findByText('Moving from alpha to bravo…')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel transfer' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel transfer' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    expect(await screen.findByText(/The transfer to bravo failed; the server stayed on alpha/)).toBeInTheDocument();
  });
});

describe('progressText', () => {
  it('keeps the message of a wings transfer log line', () => {
    const line = '\u001b[33m\u001b[1mSun, 29 Nov 2026 19:00:00 UTC [Transfer System]:\u001b[39m Sent 64 MiB of the archive\u001b[0m';
    expect(progressText(line)).toBe('Sent 64 MiB of the archive');
    expect(progressText('plain line')).toBe('plain line');
  });
});
