/**
 * The create-key form's logic, kept apart from the page so it can be tested: the resources
 * an application key has bits for, the three levels a select offers, client-side checks
 * (the panel checks again), and the request body.
 */
import type { ApplicationApiKey, CreateApplicationKeyBody } from '../../../api/types';
import { strings } from '../../../strings';

const s = strings.admin.apiKeys;

/** The resources of an application key, in display order (`r_<resource>`). */
export const RESOURCES = ['servers', 'nodes', 'allocations', 'users', 'locations', 'nests', 'eggs', 'database_hosts', 'server_databases', 'mounts'] as const;
export type Resource = (typeof RESOURCES)[number];
export type PermissionColumn = `r_${Resource}`;

/** The levels a resource's select offers: none, read, read and write (bits 1 and 2). */
export const LEVELS = [
  { value: '0', bits: 0, label: s.none },
  { value: '1', bits: 1, label: s.read },
  { value: '3', bits: 3, label: s.readWrite },
] as const;

export type Permissions = Record<Resource, number>;

/** Every resource at `none`. */
export function noPermissions(): Permissions {
  return Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Permissions;
}

/** The bits a select value stands for; anything unknown is none. */
export function levelBits(value: string | null): number {
  return LEVELS.find((l) => l.value === value)?.bits ?? 0;
}

/** A key's level for one resource, as a label (a stored 2, write without read, reads as its number). */
export function levelLabel(bits: number): string {
  return LEVELS.find((l) => l.bits === bits)?.label ?? String(bits);
}

/** Splits the allowed-IPs text (one per line; commas and spaces also separate). */
export function parseAllowedIps(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(x: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(x) || !x.includes(':')) return false;
  try {
    return new URL(`http://[${x}]/`).hostname.length > 0;
  } catch {
    return false;
  }
}

/** An IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`), as the panel accepts them. */
export function isIpOrCidr(entry: string): boolean {
  const [ip, bits, extra] = entry.split('/');
  if (extra !== undefined || ip === undefined) return false;
  const v4 = IPV4.test(ip);
  const v6 = !v4 && isIpv6(ip);
  if (!v4 && !v6) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (v4 ? 32 : 128);
}

export interface KeyFormValues {
  memo: string;
  allowedIps: string;
  permissions: Permissions;
}

export type KeyFormErrors = Partial<Record<'memo' | 'allowedIps', string>>;

/** Client-side checks: a memo of 1–500 characters, and allowed IPs that are IPs or ranges. */
export function validateKeyForm(v: KeyFormValues): KeyFormErrors {
  const errors: KeyFormErrors = {};
  const memo = v.memo.trim();
  if (memo === '') errors.memo = strings.validation.required(s.memo.toLowerCase());
  else if (memo.length > 500) errors.memo = strings.validation.maxString(s.memo.toLowerCase(), 500);
  const bad = parseAllowedIps(v.allowedIps).find((ip) => !isIpOrCidr(ip));
  if (bad !== undefined) errors.allowedIps = s.badIp(bad);
  return errors;
}

/** The `POST /api/application/api-keys` body for the form's values. */
export function createKeyBody(v: KeyFormValues): CreateApplicationKeyBody {
  const body: CreateApplicationKeyBody = { memo: v.memo.trim(), allowed_ips: parseAllowedIps(v.allowedIps) };
  for (const r of RESOURCES) body[`r_${r}`] = v.permissions[r];
  return body;
}

/** A 422 from the panel as the form field it belongs to (`allowed_ips.2` → the IPs box). */
export function serverFieldOf(field: string | undefined): keyof KeyFormErrors | Resource | undefined {
  if (field === undefined) return undefined;
  if (field === 'memo') return 'memo';
  if (field === 'allowed_ips' || field.startsWith('allowed_ips.')) return 'allowedIps';
  const r = RESOURCES.find((x) => field === `r_${x}`);
  return r;
}

/** The resources a key may read, for the table ("locations: read, nodes: read & write"). */
export function summarize(key: ApplicationApiKey): string {
  const parts = RESOURCES.filter((r) => key[`r_${r}`] !== 0).map((r) => `${s.resources[r]}: ${levelLabel(key[`r_${r}`])}`);
  return parts.length ? parts.join(', ') : s.noAccess;
}
