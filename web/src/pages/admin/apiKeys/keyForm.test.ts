import { describe, expect, it } from 'vitest';
import type { ApplicationApiKey } from '../../../api/types';
import { LEVELS, RESOURCES, createKeyBody, isIpOrCidr, levelBits, noPermissions, parseAllowedIps, serverFieldOf, summarize, validateKeyForm } from './keyForm';

const form = (over: Partial<Parameters<typeof validateKeyForm>[0]> = {}) => ({ memo: 'Billing', allowedIps: '', permissions: noPermissions(), ...over });

describe('application key form', () => {
  it('offers exactly none, read and read & write, as bits 0, 1 and 3', () => {
    expect(LEVELS.map((l) => [l.value, l.bits])).toEqual([
      ['0', 0],
      ['1', 1],
      ['3', 3],
    ]);
    expect(levelBits('3')).toBe(3);
    expect(levelBits('2')).toBe(0);
    expect(levelBits(null)).toBe(0);
  });

  it('sends every resource, including mounts, with the chosen bits', () => {
    const permissions = { ...noPermissions(), locations: 1, servers: 3 };
    const body = createKeyBody(form({ memo: '  Billing  ', allowedIps: '10.0.0.0/8\n 192.0.2.1, fd00::/8', permissions }));
    expect(body.memo).toBe('Billing');
    expect(body.allowed_ips).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    expect(RESOURCES).toContain('mounts');
    for (const r of RESOURCES) expect(body[`r_${r}`]).toBe(r === 'locations' ? 1 : r === 'servers' ? 3 : 0);
  });

  it('requires a memo of at most 500 characters', () => {
    expect(validateKeyForm(form({ memo: '   ' })).memo).toBe('The description field is required.');
    expect(validateKeyForm(form({ memo: 'x'.repeat(501) })).memo).toMatch(/500/);
    expect(validateKeyForm(form({ memo: 'x'.repeat(500) }))).toEqual({});
  });

  it('accepts IPs and CIDR ranges only', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '2001:db8::1/128']) expect(isIpOrCidr(ok), ok).toBe(true);
    for (const bad of ['', 'localhost', '256.1.1.1', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/', '1.2.3.4/8/8', '::g', '1.2.3']) expect(isIpOrCidr(bad), bad).toBe(false);
    expect(validateKeyForm(form({ allowedIps: '127.0.0.1\nnope' })).allowedIps).toBe('nope is not an IP address or CIDR range.');
    expect(parseAllowedIps(' \n ')).toEqual([]);
  });

  it('puts a server validation error under the field it names', () => {
    expect(serverFieldOf('memo')).toBe('memo');
    expect(serverFieldOf('allowed_ips.3')).toBe('allowedIps');
    expect(serverFieldOf('r_mounts')).toBe('mounts');
    expect(serverFieldOf('something_else')).toBeUndefined();
    expect(serverFieldOf(undefined)).toBeUndefined();
  });

  it('summarizes a key’s access', () => {
    const key = { identifier: 'ptla_abcdefghijk', memo: 'm', allowed_ips: [], last_used_at: null, created_at: '2026-01-01T00:00:00+00:00', ...Object.fromEntries(RESOURCES.map((r) => [`r_${r}`, 0])) } as unknown as ApplicationApiKey;
    expect(summarize(key)).toBe('No access');
    expect(summarize({ ...key, r_locations: 1, r_nodes: 3 })).toBe('Nodes: Read & write, Locations: Read');
  });
});
