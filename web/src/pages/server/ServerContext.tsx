import { createContext, useContext } from 'react';
import type { ClientServer, ClientServerMeta } from '../../api/types';
import { hasPermission } from '../../lib/permissions';
import type { LiveServer } from './useServerSocket';

export interface ServerContextValue {
  /** The id used in URLs and API paths (the 8-character identifier). */
  id: string;
  server: ClientServer;
  meta: ClientServerMeta;
  live: LiveServer;
  /** The API path prefix of this server. */
  base: string;
  can: (permission: string) => boolean;
}

export const ServerContext = createContext<ServerContextValue | null>(null);

/** The open server (inside the server layout). */
export function useServer(): ServerContextValue {
  const v = useContext(ServerContext);
  if (!v) throw new Error('useServer outside the server layout');
  return v;
}

export function makeCan(meta: ClientServerMeta) {
  return (p: string) => hasPermission(meta.user_permissions, p);
}
