/**
 * The API types the pages use. Application API shapes are the GENERATED schemas of the
 * panel's OpenAPI document (`schema.d.ts`, `npm run gen:api`); client API shapes the
 * document does not cover yet come from `pending.ts` until it does.
 */
import type { components } from './schema';
export type * from './pending';

type S = components['schemas'];

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
