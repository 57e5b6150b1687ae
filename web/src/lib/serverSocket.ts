/**
 * The connection to a server's websocket on wings (reference §4), kept alive:
 *
 * - credentials (`{token, socket}`) come from the panel (`GET .../websocket`) on every
 *   connect, so a reconnect always authenticates with a fresh token;
 * - `token expiring` fetches a new token and re-sends `auth` on the open socket;
 * - `token expired` and `jwt error` do the same; after three failed attempts in a row the
 *   socket is closed and reconnected from scratch;
 * - a closed socket reconnects with exponential back-off (1 s doubling to 15 s) until
 *   `stop()`;
 * - after each successful first `auth` on a socket it asks for the console backlog
 *   (`send logs`) and the current stats (`send stats`).
 *
 * No React here: the console page owns one instance and listens to its callbacks.
 */

export interface SocketCredentials {
  token: string;
  socket: string;
}

/** The subset of the browser WebSocket used here (tests pass a fake). */
export interface WebSocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface ServerSocketOptions {
  fetchCredentials: () => Promise<SocketCredentials>;
  onEvent: (event: string, args: string[]) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
  createSocket?: (url: string) => WebSocketLike;
  /** Milliseconds before reconnect attempt `n` (0-based). */
  backoff?: (attempt: number) => number;
}

const OPEN = 1;

export const defaultBackoff = (attempt: number) => Math.min(15_000, 1000 * 2 ** attempt);

/** A wings event frame: `{"event": "...", "args": ["..."]}`. */
export function parseFrame(data: unknown): { event: string; args: string[] } | null {
  if (typeof data !== 'string') return null;
  try {
    const v: unknown = JSON.parse(data);
    if (typeof v !== 'object' || v === null) return null;
    const { event, args } = v as { event?: unknown; args?: unknown };
    if (typeof event !== 'string') return null;
    const list = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))) : [];
    return { event, args: list };
  } catch {
    return null;
  }
}

export class ServerSocket {
  private ws: WebSocketLike | null = null;
  private state: ConnectionState = 'idle';
  private attempt = 0;
  private authFailures = 0;
  private authedOnce = false;
  private refreshing = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly backoff: (attempt: number) => number;
  private readonly createSocket: (url: string) => WebSocketLike;

  constructor(private readonly opts: ServerSocketOptions) {
    this.backoff = opts.backoff ?? defaultBackoff;
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.setState('connecting');
    void this.connect();
  }

  stop(): void {
    this.setState('stopped');
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000, 'page closed');
    }
  }

  /** Sends `{event, args}` when authenticated; returns false (and drops it) otherwise. */
  send(event: string, ...args: string[]): boolean {
    if (this.state !== 'connected' || !this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(args.length ? { event, args } : { event }));
    return true;
  }

  private setState(s: ConnectionState, detail?: string): void {
    this.state = s;
    this.opts.onState?.(s, detail);
  }

  private async connect(): Promise<void> {
    let creds: SocketCredentials;
    try {
      creds = await this.opts.fetchCredentials();
    } catch (e) {
      this.scheduleReconnect(e instanceof Error ? e.message : undefined);
      return;
    }
    if (this.state === 'stopped') return;
    let ws: WebSocketLike;
    try {
      ws = this.createSocket(creds.socket);
    } catch (e) {
      this.scheduleReconnect(e instanceof Error ? e.message : undefined);
      return;
    }
    this.ws = ws;
    this.authedOnce = false;
    ws.onopen = () => ws.send(JSON.stringify({ event: 'auth', args: [creds.token] }));
    ws.onmessage = (ev) => this.onFrame(ws, ev.data);
    ws.onerror = () => {};
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(detail?: string): void {
    if (this.state === 'stopped') return;
    this.setState('reconnecting', detail);
    const delay = this.backoff(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state !== 'stopped') void this.connect();
    }, delay);
  }

  private async reauthenticate(ws: WebSocketLike): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const creds = await this.opts.fetchCredentials();
      if (this.ws === ws && ws.readyState === OPEN) ws.send(JSON.stringify({ event: 'auth', args: [creds.token] }));
    } catch {
      // The next `token expired` / close will try again.
    } finally {
      this.refreshing = false;
    }
  }

  private onFrame(ws: WebSocketLike, data: unknown): void {
    const frame = parseFrame(data);
    if (!frame || this.ws !== ws) return;
    switch (frame.event) {
      case 'auth success':
        this.attempt = 0;
        this.authFailures = 0;
        this.setState('connected');
        if (!this.authedOnce) {
          this.authedOnce = true;
          this.send('send logs');
          this.send('send stats');
        }
        break;
      case 'token expiring':
        void this.reauthenticate(ws);
        break;
      case 'token expired':
      case 'jwt error':
        this.authFailures++;
        if (this.authFailures > 3) {
          // Stop hammering: drop this socket and start over after the back-off.
          this.authFailures = 0;
          ws.onclose = null;
          this.ws = null;
          ws.close(4000, 'authentication failed');
          this.scheduleReconnect(frame.args[0]);
        } else {
          void this.reauthenticate(ws);
        }
        break;
    }
    this.opts.onEvent(frame.event, frame.args);
  }
}
