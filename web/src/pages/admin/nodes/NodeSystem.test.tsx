import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { jsonResponse, renderWithProviders, routeFetch } from '../../../test/render';
import { NodeSystemCard } from './NodeSystem';

afterEach(() => vi.unstubAllGlobals());

describe('NodeSystemCard', () => {
  it('shows what wings reports', async () => {
    const { fn } = routeFetch({
      'GET /api/application/nodes/3/system': () => jsonResponse(200, { version: '0.4.2', kernel_version: '6.8.0', architecture: 'amd64', os: 'linux', cpu_count: 8 }),
    });
    vi.stubGlobal('fetch', fn);
    renderWithProviders(<NodeSystemCard nodeId={3} />);
    expect(await screen.findByText('0.4.2')).toBeInTheDocument();
    expect(screen.getByText('6.8.0')).toBeInTheDocument();
    expect(screen.getByText('8')).toBeInTheDocument();
  });

  it('shows an offline node with the panel’s explanation', async () => {
    const detail = 'The node "edge" is not answering at http://10.0.0.9:8080: its wings may be offline.';
    const { fn } = routeFetch({
      'GET /api/application/nodes/3/system': () => jsonResponse(503, { errors: [{ code: 'HttpException', status: '503', detail }] }),
    });
    vi.stubGlobal('fetch', fn);
    renderWithProviders(<NodeSystemCard nodeId={3} />);
    expect(await screen.findByText('offline')).toBeInTheDocument();
    expect(screen.getByTestId('node-system-error')).toHaveTextContent(detail);
  });
});
