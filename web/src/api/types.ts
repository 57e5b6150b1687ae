/**
 * The API types the pages use. Application API shapes are the GENERATED schemas of the
 * panel's OpenAPI document (`schema.d.ts`, `npm run gen:api`); client API shapes the
 * document does not cover yet come from `pending.ts` until it does.
 */
import type { components } from './schema';
import type * as P from './pending';
export type { Item, List, Pagination } from './pending';

type S = components['schemas'];

/**
 * The generated schema `K` once the document has it, else the pending stand-in: running
 * `npm run gen:api` on a document that covers an endpoint switches its pages over to the
 * generated type (and `tsc` checks them against it) without touching this file.
 */
type Gen<K extends string, Pending> = K extends keyof S ? S[K] : Pending;

export type ClientAccount = Gen<'AccountAttributes', P.ClientAccount>;
export type ApiKey = Gen<'ApiKeyAttributes', P.ApiKey>;
export type SshKey = Gen<'SshKeyAttributes', P.SshKey>;
export type Subuser = Gen<'ClientSubuserAttributes', P.Subuser>;
export type ClientDatabase = Gen<'ClientDatabaseAttributes', P.ClientDatabase>;
export type Backup = Gen<'BackupAttributes', P.Backup>;
export type Schedule = Gen<'ScheduleAttributes', P.Schedule>;
export type ScheduleTask = Gen<'ScheduleTaskAttributes', P.ScheduleTask>;
export type ActivityLog = Gen<'ActivityLogAttributes', P.ActivityLog>;
export type SignedUrl = Gen<'SignedUrlAttributes', P.SignedUrl>;
export type TwoFactorSetup = Gen<'TwoFactorSetup', P.TwoFactorSetup>;
// Not in the document yet (server core routes of the client API):
export type ClientServer = Gen<'ClientServerAttributes', P.ClientServer>;
export type ClientServerMeta = P.ClientServerMeta;
export type ClientAllocation = Gen<'ClientAllocationAttributes', P.ClientAllocation>;
export type ClientEggVariable = Gen<'ClientEggVariableAttributes', P.ClientEggVariable>;
export type ServerStats = Gen<'StatsAttributes', P.ServerStats>;
export type WebsocketCredentials = P.WebsocketCredentials;
export type FileObject = Gen<'FileObjectAttributes', P.FileObject>;
export type SystemPermissions = P.SystemPermissions;

export type User = S['UserAttributes'];
export type UserBody = S['UserBody'];
export type Location = S['LocationAttributes'];
export type Node = S['NodeAttributes'];
export type NodeBody = S['NodeBody'];
export type NodeConfiguration = S['NodeConfiguration'];
export type Allocation = S['AllocationAttributes'];
export type Nest = S['NestAttributes'];
export type Egg = S['EggAttributes'];
export type EggVariable = S['EggVariableAttributes'];
export type AdminServer = S['ServerAttributes'];
export type DatabaseHost = S['DatabaseHostAttributes'];
export type ServerDatabase = S['ServerDatabaseAttributes'];
export type ErrorEnvelope = S['ErrorEnvelope'];
export type PaginationMeta = S['PaginationMeta'];
export type ServerVariable = S['ServerVariableAttributes'];
export type ServerBuildBody = S['ServerBuildBody'];
export type ServerStartupBody = S['ServerStartupBody'];
export type ServerDetailsBody = S['ServerDetailsBody'];
export type DatabaseHostBody = S['DatabaseHostBody'];
export type LocationBody = S['LocationBody'];
export type NestBody = S['NestBody'];
export type AllocationBody = S['AllocationBody'];
