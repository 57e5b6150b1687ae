/**
 * The API types the pages use: names for the GENERATED schemas of the panel's OpenAPI
 * document (`schema.d.ts`, `npm run gen:api`). Nothing here is written by hand.
 */
import type { components } from './schema';
export type { Item, List, Pagination } from './envelope';

type S = components['schemas'];

export type ClientAccount = S['AccountAttributes'];
export type ApiKey = S['ApiKeyAttributes'];
export type SshKey = S['SshKeyAttributes'];
export type Subuser = S['ClientSubuserAttributes'];
export type ClientDatabase = S['ClientDatabaseAttributes'];
export type Backup = S['BackupAttributes'];
export type Schedule = S['ScheduleAttributes'];
export type ScheduleTask = S['ScheduleTaskAttributes'];
export type ActivityLog = S['ActivityLogAttributes'];
export type SignedUrl = S['SignedUrlAttributes'];
export type TwoFactorSetup = S['TwoFactorSetup'];
export type ClientServer = S['ClientServerAttributes'];
export type ClientServerMeta = S['ClientServerMeta'];
export type ClientAllocation = S['ClientAllocationAttributes'];
export type ClientEggVariable = S['ClientEggVariableAttributes'];
export type ServerStats = S['StatsAttributes'];
export type WebsocketCredentials = S['WebsocketCredentials'];
export type FileObject = S['FileObjectAttributes'];
export type SystemPermissions = S['SystemPermissionsAttributes'];

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
export type BackupCreateBody = S['BackupCreateBody'];
export type BackupRestoreBody = S['BackupRestoreBody'];
export type ClientDatabaseBody = S['ClientDatabaseBody'];
export type CreateApiKeyBody = S['CreateApiKeyBody'];
export type CreateSshKeyBody = S['CreateSshKeyBody'];
export type RemoveSshKeyBody = S['RemoveSshKeyBody'];
export type EnableTwoFactorBody = S['EnableTwoFactorBody'];
export type DisableTwoFactorBody = S['DisableTwoFactorBody'];
export type UpdateEmailBody = S['UpdateEmailBody'];
export type UpdatePasswordBody = S['UpdatePasswordBody'];
export type ScheduleBody = S['ScheduleBody'];
export type ScheduleTaskBody = S['ScheduleTaskBody'];
export type SubuserCreateBody = S['SubuserCreateBody'];
export type SubuserUpdateBody = S['SubuserUpdateBody'];
export type ForgotPasswordBody = S['ForgotPasswordBody'];
export type ResetPasswordBody = S['ResetPasswordBody'];
export type FileRenameBody = S['FileRenameBody'];
export type FileChmodBody = S['FileChmodBody'];
export type FileCopyBody = S['FileCopyBody'];
export type FileCreateFolderBody = S['FileCreateFolderBody'];
export type FileDecompressBody = S['FileDecompressBody'];
export type FileListBody = S['FileListBody'];
export type FilePullBody = S['FilePullBody'];
