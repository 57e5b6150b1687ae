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
export interface ClientAccount {
  id: number;
  admin: boolean;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  language: string;
}

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
export interface SignedUrl {
  url: string;
}

/** `backup` */
export interface Backup {
  uuid: string;
  is_successful: boolean;
  is_locked: boolean;
  name: string;
  ignored_files: string[];
  checksum: string | null;
  bytes: number;
  created_at: string;
  completed_at: string | null;
}

/** client `server_database` */
export interface ClientDatabase {
  id: string;
  host: { address: string; port: number };
  name: string;
  username: string;
  connections_from: string;
  max_connections: number;
  relationships?: { password?: Item<{ password: string }> };
}

export interface ScheduleTask {
  id: number;
  sequence_id: number;
  action: 'command' | 'power' | 'backup';
  payload: string;
  time_offset: number;
  is_queued: boolean;
  continue_on_failure: boolean;
  created_at: string;
  updated_at: string | null;
}

/** `server_schedule` */
export interface Schedule {
  id: number;
  name: string;
  cron: { day_of_week: string; day_of_month: string; month: string; hour: string; minute: string };
  is_active: boolean;
  is_processing: boolean;
  only_when_online: boolean;
  last_run_at: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
  relationships?: { tasks?: List<ScheduleTask> };
}

/** client `server_subuser` */
export interface Subuser {
  uuid: string;
  username: string;
  email: string;
  image: string;
  '2fa_enabled': boolean;
  created_at: string;
  permissions: string[];
}

/** `GET /api/client/permissions` */
export interface SystemPermissions {
  permissions: Record<string, { description: string; keys: Record<string, string> }>;
}

/** `api_key` */
export interface ApiKey {
  identifier: string;
  description: string;
  allowed_ips: string[];
  last_used_at: string | null;
  created_at: string;
}

/** `ssh_key` */
export interface SshKey {
  name: string;
  fingerprint: string;
  public_key: string;
  created_at: string;
}

/** `activity_log` */
export interface ActivityLog {
  id: string;
  batch: string | null;
  event: string;
  is_api: boolean;
  ip: string | null;
  description: string | null;
  properties: Record<string, unknown>;
  has_additional_metadata: boolean;
  timestamp: string;
  relationships?: { actor?: Item<{ username: string; email?: string }> | { object: 'null_resource'; attributes: null } };
}

/** `GET /api/client/account/two-factor` */
export interface TwoFactorSetup {
  data: { image_url_data: string; secret: string };
}
