/**
 * PENDING: shapes of endpoints the panel's OpenAPI document does not describe yet.
 *
 * Everything else comes from `schema.d.ts`, generated from the committed OpenAPI snapshot
 * (`npm run gen:api`). Each type here names the endpoint it stands in for; once the
 * document covers that endpoint, replace the alias in `types.ts` with the generated
 * schema and delete the entry here. Field names follow the Pterodactyl transformers
 * (reference §2.2).
 */

/** `{object, attributes}` */
export interface Item<T, O extends string = string> {
  object: O;
  attributes: T;
}

/** `{object: "list", data, meta?}` */
export interface List<T, M = unknown> {
  object: 'list';
  data: Item<T>[];
  meta?: M & { pagination?: Pagination };
}

export interface Pagination {
  total: number;
  count: number;
  per_page: number;
  current_page: number;
  total_pages: number;
}

/** `GET /api/client/account` */

/** client `allocation` (`/api/client/servers/{s}/network/allocations`) */
export interface ClientAllocation {
  id: number;
  ip: string;
  ip_alias: string | null;
  port: number;
  notes: string | null;
  is_default: boolean;
}

/** client `egg_variable` (`/api/client/servers/{s}/startup`) */
export interface ClientEggVariable {
  name: string;
  description: string;
  env_variable: string;
  default_value: string;
  server_value: string | null;
  is_editable: boolean;
  rules: string;
}

export interface ServerLimits {
  memory: number;
  swap: number;
  disk: number;
  io: number;
  cpu: number;
  threads: string | null;
  oom_disabled?: boolean;
}

export interface FeatureLimits {
  databases: number | null;
  allocations: number | null;
  backups: number | null;
}

/** client `server` (`GET /api/client`, `GET /api/client/servers/{s}`) */
export interface ClientServer {
  server_owner: boolean;
  identifier: string;
  internal_id: number;
  uuid: string;
  name: string;
  node: string;
  is_node_under_maintenance: boolean;
  sftp_details: { ip: string; port: number };
  description: string;
  limits: ServerLimits;
  invocation: string;
  docker_image: string;
  egg_features: string[] | null;
  feature_limits: FeatureLimits;
  status: string | null;
  is_suspended: boolean;
  is_installing: boolean;
  is_transferring: boolean;
  relationships?: {
    allocations?: List<ClientAllocation>;
    variables?: List<ClientEggVariable>;
  };
}

/** `GET /api/client/servers/{s}` meta */
export interface ClientServerMeta {
  is_server_owner: boolean;
  user_permissions: string[];
}

/** `stats` (`GET /api/client/servers/{s}/resources`) */
export interface ServerStats {
  current_state: string;
  is_suspended: boolean;
  resources: {
    memory_bytes: number;
    cpu_absolute: number;
    disk_bytes: number;
    network_rx_bytes: number;
    network_tx_bytes: number;
    uptime: number;
  };
}

/** `GET /api/client/servers/{s}/websocket` */
export interface WebsocketCredentials {
  data: { token: string; socket: string };
}

/** `file_object` (`/api/client/servers/{s}/files/list`) */
export interface FileObject {
  name: string;
  mode: string;
  mode_bits: string;
  size: number;
  is_file: boolean;
  is_symlink: boolean;
  mimetype: string;
  created_at: string;
  modified_at: string;
}

/** `signed_url` (files/download, files/upload, backups/{b}/download) */

/** `GET /api/client/permissions` */
export interface SystemPermissions {
  permissions: Record<string, { description: string; keys: Record<string, string> }>;
}

/** `GET /api/client/account/two-factor` */
