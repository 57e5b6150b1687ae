import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseFrame, ServerSocket, type WebSocketLike } from './serverSocket';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: { event: string; args?: string[] }[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as { event: string; args?: string[] });
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(event: string, ...args: string[]) {
    this.onmessage?.({ data: JSON.stringify({ event, args }) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  let n = 0;
  const fetchCredentials = vi.fn(async () => {
    n++;
    return { token: `token-${n}`, socket: `ws://node/api/servers/x/ws#${n}` };
  });
  const events: [string, string[]][] = [];
  const states: string[] = [];
  const socket = new ServerSocket({
    fetchCredentials,
    onEvent: (e, a) => events.push([e, a]),
    onState: (s) => states.push(s),
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: (attempt) => 1000 * 2 ** attempt,
  });
  return { socket, sockets, fetchCredentials, events, states };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('parseFrame', () => {
  it('reads event and string args', () => {
    expect(parseFrame('{"event":"status","args":["running"]}')).toEqual({ event: 'status', args: ['running'] });
    expect(parseFrame('{"event":"auth success"}')).toEqual({ event: 'auth success', args: [] });
  });
  it('rejects junk', () => {
    expect(parseFrame('nope')).toBeNull();
    expect(parseFrame('{"args":[]}')).toBeNull();
    expect(parseFrame(42)).toBeNull();
  });
});

describe('ServerSocket', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('authenticates on open, then asks for logs and stats once', async () => {
    const { socket, sockets, states } = setup();
    socket.start();
    await flush();
    const ws = sockets[0]!;
    ws.open();
    expect(ws.sent).toEqual([{ event: 'auth', args: ['token-1'] }]);
    ws.receive('auth success');
    expect(states.at(-1)).toBe('connected');
    expect(ws.sent.slice(1)).toEqual([{ event: 'send logs' }, { event: 'send stats' }]);
    ws.receive('auth success');
    expect(ws.sent).toHaveLength(3);
  });

  it('re-authenticates on the same socket with a fresh token on `token expiring`', async () => {
    const { socket, sockets, fetchCredentials } = setup();
    socket.start();
    await flush();
    const ws = sockets[0]!;
    ws.open();
    ws.receive('auth success');
    ws.receive('token expiring');
    await flush();
    expect(fetchCredentials).toHaveBeenCalledTimes(2);
    expect(ws.sent.at(-1)).toEqual({ event: 'auth', args: ['token-2'] });
    expect(sockets).toHaveLength(1);
  });

  it('re-authenticates on `jwt error`, and reconnects from scratch after repeated failures', async () => {
    const { socket, sockets, fetchCredentials } = setup();
    socket.start();
    await flush();
    const ws = sockets[0]!;
    ws.open();
    ws.receive('jwt error', 'jwt: exp claim is invalid');
    await flush();
    expect(ws.sent.at(-1)).toEqual({ event: 'auth', args: ['token-2'] });
    for (let i = 0; i < 3; i++) {
      ws.receive('jwt error', 'jwt: exp claim is invalid');
      await flush();
    }
    expect(ws.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
    expect(fetchCredentials.mock.calls.length).toBeGreaterThanOrEqual(5);
  });

  it('reconnects with back-off and a fresh token when the socket drops', async () => {
    const { socket, sockets, states } = setup();
    socket.start();
    await flush();
    sockets[0]!.open();
    sockets[0]!.receive('auth success');
    sockets[0]!.drop();
    expect(states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toContain('#2');
    // A second drop before authenticating waits twice as long.
    sockets[1]!.drop();
    await vi.advanceTimersByTimeAsync(1999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    sockets[2]!.open();
    expect(sockets[2]!.sent[0]).toEqual({ event: 'auth', args: ['token-3'] });
    sockets[2]!.receive('auth success');
    // Back-off resets after a successful auth.
    sockets[2]!.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(4);
  });

  it('retries when the panel refuses credentials', async () => {
    const { socket, sockets, fetchCredentials } = setup();
    fetchCredentials.mockRejectedValueOnce(new Error('Server is installing'));
    socket.start();
    await flush();
    expect(sockets).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(1);
  });

  it('sends only while connected, and stops for good', async () => {
    const { socket, sockets } = setup();
    socket.start();
    expect(socket.send('send command', 'say hi')).toBe(false);
    await flush();
    sockets[0]!.open();
    sockets[0]!.receive('auth success');
    expect(socket.send('send command', 'say hi')).toBe(true);
    expect(sockets[0]!.sent.at(-1)).toEqual({ event: 'send command', args: ['say hi'] });
    socket.stop();
    expect(sockets[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(socket.connectionState).toBe('stopped');
  });

  it('passes every event to the listener', async () => {
    const { socket, sockets, events } = setup();
    socket.start();
    await flush();
    sockets[0]!.open();
    sockets[0]!.receive('console output', '\u001b[32mdone\u001b[0m');
    sockets[0]!.receive('stats', '{"cpu_absolute":1}');
    expect(events).toContainEqual(['console output', ['\u001b[32mdone\u001b[0m']]);
    expect(events).toContainEqual(['stats', ['{"cpu_absolute":1}']]);
  });
});
