import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { request } from '../../api/client';
import { invalidate } from '../../api/query';
import type { WebsocketCredentials } from '../../api/types';
import { ConsoleBuffer } from '../../lib/consoleBuffer';
import { ServerSocket, type ConnectionState } from '../../lib/serverSocket';
import { strings } from '../../strings';

/** The `stats` event's JSON (reference §4.4). */
export interface LiveStats {
  memory_bytes: number;
  memory_limit_bytes: number;
  cpu_absolute: number;
  network: { rx_bytes: number; tx_bytes: number };
  uptime: number;
  state: string;
  disk_bytes: number;
}

/** About two minutes of samples at wings' one per second. */
export const HISTORY = 120;

export interface StatsHistory {
  cpu: number[];
  memory: number[];
  rx: number[];
  tx: number[];
}

export type LineKind = 'console' | 'install' | 'daemon' | 'transfer';

export interface LiveServer {
  connection: ConnectionState;
  connectionDetail: string | undefined;
  /** Power state from `status` events (null until the first). */
  state: string | null;
  stats: LiveStats | null;
  history: StatsHistory;
  /** Console lines, including install output, kept across tab switches. */
  buffer: ConsoleBuffer;
  /** Subscribe to new lines (returns the unsubscribe function). */
  onLine: (fn: (line: string, kind: LineKind) => void) => () => void;
  /** Cleared then refilled when wings resends logs after a reconnect. */
  onReset: (fn: () => void) => () => void;
  send: (event: string, ...args: string[]) => boolean;
  installing: boolean;
}

const push = (a: number[], v: number) => {
  const next = a.length >= HISTORY ? a.slice(a.length - HISTORY + 1) : a.slice();
  next.push(v);
  return next;
};

const YELLOW = '\u001b[1;33m';
const RED = '\u001b[1;31m';
const RESET = '\u001b[0m';

/**
 * One websocket per open server page (owned by the server layout, so the console keeps its
 * lines while the user visits other tabs). `enabled` is false for a suspended server.
 */
export function useServerSocket(identifier: string, enabled: boolean): LiveServer {
  const client = useQueryClient();
  const [connection, setConnection] = useState<ConnectionState>('idle');
  const [detail, setDetail] = useState<string | undefined>();
  const [state, setState] = useState<string | null>(null);
  const [stats, setStats] = useState<LiveStats | null>(null);
  const [history, setHistory] = useState<StatsHistory>({ cpu: [], memory: [], rx: [], tx: [] });
  const [installing, setInstalling] = useState(false);
  const bufferRef = useRef<ConsoleBuffer>(new ConsoleBuffer(2000));
  const lineListeners = useRef(new Set<(line: string, kind: LineKind) => void>());
  const resetListeners = useRef(new Set<() => void>());
  const socketRef = useRef<ServerSocket | null>(null);
  const lastNet = useRef<{ rx: number; tx: number; t: number } | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const buffer = bufferRef.current;
    const emit = (line: string, kind: LineKind) => {
      buffer.push(line);
      for (const fn of lineListeners.current) fn(line, kind);
    };
    const refreshServer = () => invalidate(client, [`/api/client/servers/${identifier}`, '/api/client?']);
    let needsReset = true;
    const socket = new ServerSocket({
      fetchCredentials: async () => (await request<WebsocketCredentials>('GET', `/api/client/servers/${identifier}/websocket`)).data,
      onState: (s, d) => {
        setConnection(s);
        setDetail(d);
        if (s === 'reconnecting') needsReset = true;
      },
      onEvent: (event, args) => {
        const a0 = args[0] ?? '';
        switch (event) {
          case 'auth success':
            // A new socket replays the backlog (`send logs`): start from a clean screen.
            if (needsReset) {
              needsReset = false;
              buffer.clear();
              for (const fn of resetListeners.current) fn();
            }
            break;
          case 'console output':
            emit(a0, 'console');
            break;
          case 'install output':
            emit(a0, 'install');
            break;
          case 'transfer logs':
            emit(a0, 'transfer');
            break;
          case 'status':
            setState(a0);
            break;
          case 'stats': {
            try {
              const s = JSON.parse(a0) as LiveStats;
              setStats(s);
              if (s.state) setState(s.state);
              const now = Date.now();
              const prev = lastNet.current;
              const secs = prev ? (now - prev.t) / 1000 : 0;
              const rx = prev && secs > 0 ? Math.max(0, (s.network.rx_bytes - prev.rx) / secs) : 0;
              const tx = prev && secs > 0 ? Math.max(0, (s.network.tx_bytes - prev.tx) / secs) : 0;
              lastNet.current = { rx: s.network.rx_bytes, tx: s.network.tx_bytes, t: now };
              setHistory((h) => ({
                cpu: push(h.cpu, s.cpu_absolute),
                memory: push(h.memory, s.memory_bytes),
                rx: push(h.rx, rx),
                tx: push(h.tx, tx),
              }));
            } catch {
              /* a malformed stats frame is skipped */
            }
            break;
          }
          case 'install started':
            setInstalling(true);
            emit(`${YELLOW}[${strings.app.name}] ${strings.console.installStarted}${RESET}`, 'daemon');
            void refreshServer();
            break;
          case 'install completed':
            setInstalling(false);
            emit(`${YELLOW}[${strings.app.name}] ${strings.console.installCompleted}${RESET}`, 'daemon');
            void refreshServer();
            break;
          case 'daemon error':
          case 'jwt error':
            emit(`${RED}[${strings.console.daemonError}] ${a0}${RESET}`, 'daemon');
            break;
          case 'daemon message':
            emit(`${YELLOW}${a0}${RESET}`, 'daemon');
            break;
          case 'backup completed':
          case 'backup restore completed':
            void invalidate(client, [`/api/client/servers/${identifier}/backups`]);
            void refreshServer();
            break;
          case 'transfer status':
            emit(`${YELLOW}[${strings.app.name}] ${strings.console.transferStatus(a0)}${RESET}`, 'daemon');
            void refreshServer();
            break;
        }
      },
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      socketRef.current = null;
    };
  }, [identifier, enabled, client]);

  return {
    connection,
    connectionDetail: detail,
    state,
    stats,
    history,
    buffer: bufferRef.current,
    installing,
    onLine: (fn) => {
      lineListeners.current.add(fn);
      return () => lineListeners.current.delete(fn);
    },
    onReset: (fn) => {
      resetListeners.current.add(fn);
      return () => resetListeners.current.delete(fn);
    },
    send: (event, ...args) => socketRef.current?.send(event, ...args) ?? false,
  };
}
