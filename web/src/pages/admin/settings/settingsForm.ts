/**
 * The settings form's logic, kept apart from the page so it can be tested: the form's
 * values, client-side checks matching the panel's rules, and the `PATCH` body.
 */
import type { PanelSettings, UpdatePanelSettingsBody } from '../../../api/types';
import { strings } from '../../../strings';

const s = strings.admin.settings;
const v = strings.validation;

export const MIN_PORT = 1024;
export const MAX_PORT = 65535;

/** The form's values: the two-factor level as a select value, ports as numbers or null. */
export interface SettingsValues {
  two_factor_required: string;
  client_allocations_enabled: boolean;
  client_allocations_range_start: number | null;
  client_allocations_range_end: number | null;
}

export type SettingsErrors = Partial<Record<keyof SettingsValues, string>>;

/** The form's starting values from the panel's settings. */
export function toValues(p: PanelSettings): SettingsValues {
  return {
    two_factor_required: String(p.two_factor_required),
    client_allocations_enabled: p.client_allocations_enabled,
    client_allocations_range_start: p.client_allocations_range_start ?? null,
    client_allocations_range_end: p.client_allocations_range_end ?? null,
  };
}

const isPort = (n: number) => Number.isInteger(n) && n >= MIN_PORT && n <= MAX_PORT;

/** The panel's rules, checked before sending (it checks them again). */
export function validateSettings(x: SettingsValues): SettingsErrors {
  const errors: SettingsErrors = {};
  if (!['0', '1', '2'].includes(x.two_factor_required)) errors.two_factor_required = v.in(s.twoFactor.toLowerCase(), ['0', '1', '2']);
  const start = x.client_allocations_range_start;
  const end = x.client_allocations_range_end;
  if (start !== null && !isPort(start)) errors.client_allocations_range_start = v.betweenNumber(s.rangeStart.toLowerCase(), MIN_PORT, MAX_PORT);
  if (end !== null && !isPort(end)) errors.client_allocations_range_end = v.betweenNumber(s.rangeEnd.toLowerCase(), MIN_PORT, MAX_PORT);
  if (x.client_allocations_enabled) {
    if (start === null) errors.client_allocations_range_start ??= s.rangeRequired;
    if (end === null) errors.client_allocations_range_end ??= s.rangeRequired;
  }
  if (start !== null && end !== null && !errors.client_allocations_range_end && !errors.client_allocations_range_start && end <= start) {
    errors.client_allocations_range_end = s.rangeOrder;
  }
  return errors;
}

/** The `PATCH /api/application/settings` body: every setting (null clears a range end). */
export function settingsBody(x: SettingsValues): UpdatePanelSettingsBody {
  return {
    two_factor_required: Number(x.two_factor_required),
    client_allocations_enabled: x.client_allocations_enabled,
    client_allocations_range_start: x.client_allocations_range_start,
    client_allocations_range_end: x.client_allocations_range_end,
  };
}
