import { describe, expect, it } from 'vitest';
import { settingsBody, toValues, validateSettings, type SettingsValues } from './settingsForm';

const base: SettingsValues = { two_factor_required: '0', client_allocations_enabled: false, client_allocations_range_start: null, client_allocations_range_end: null };

describe('settings form', () => {
  it('round-trips the panel’s settings into the PATCH body', () => {
    const values = toValues({ two_factor_required: 2, client_allocations_enabled: true, client_allocations_range_start: 30000, client_allocations_range_end: 30100 });
    expect(values.two_factor_required).toBe('2');
    expect(validateSettings(values)).toEqual({});
    expect(settingsBody(values)).toEqual({ two_factor_required: 2, client_allocations_enabled: true, client_allocations_range_start: 30000, client_allocations_range_end: 30100 });
  });

  it('needs both range ends to enable automatic allocations', () => {
    const e = validateSettings({ ...base, client_allocations_enabled: true });
    expect(e.client_allocations_range_start).toMatch(/both ends/);
    expect(e.client_allocations_range_end).toMatch(/both ends/);
    expect(validateSettings({ ...base, client_allocations_enabled: false })).toEqual({});
  });

  it('keeps ports within 1024 to 65535 and the end above the start', () => {
    expect(validateSettings({ ...base, client_allocations_range_start: 1023 }).client_allocations_range_start).toBe('The range start must be between 1024 and 65535.');
    expect(validateSettings({ ...base, client_allocations_range_end: 65536 }).client_allocations_range_end).toBe('The range end must be between 1024 and 65535.');
    expect(validateSettings({ ...base, client_allocations_range_start: 5000, client_allocations_range_end: 5000 }).client_allocations_range_end).toMatch(/greater than/);
    expect(validateSettings({ ...base, client_allocations_range_start: 1024, client_allocations_range_end: 65535 })).toEqual({});
  });

  it('allows only the three two-factor levels', () => {
    expect(validateSettings({ ...base, two_factor_required: '3' }).two_factor_required).toBeDefined();
    for (const level of ['0', '1', '2']) expect(validateSettings({ ...base, two_factor_required: level })).toEqual({});
  });
});
