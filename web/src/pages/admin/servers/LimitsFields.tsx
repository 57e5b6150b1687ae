import { NumberInput, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { strings } from '../../../strings';

const s = strings.admin.servers;

export interface Limits {
  memory: number;
  swap: number;
  disk: number;
  io: number;
  cpu: number;
  threads: string;
  oom_disabled: boolean;
  databases: number;
  allocations: number;
  backups: number;
}

export const defaultLimits: Limits = { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100, threads: '', oom_disabled: true, databases: 0, allocations: 0, backups: 2 };

/** Returns field → message for out-of-range limits (the panel's own rules). */
export function checkLimits(l: Limits): Partial<Record<keyof Limits, string>> {
  const e: Partial<Record<keyof Limits, string>> = {};
  if (!(l.memory >= 0)) e.memory = strings.validation.minNumber(s.memory, 0);
  if (!(l.swap >= -1)) e.swap = strings.validation.minNumber(s.swap, -1);
  if (!(l.disk >= 0)) e.disk = strings.validation.minNumber(s.disk, 0);
  if (!(l.io >= 10 && l.io <= 1000)) e.io = strings.validation.betweenNumber(s.io, 10, 1000);
  if (!(l.cpu >= 0)) e.cpu = strings.validation.minNumber(s.cpu, 0);
  if (l.threads && !/^[0-9-,]+$/.test(l.threads)) e.threads = strings.validation.regex(s.threads);
  for (const k of ['databases', 'allocations', 'backups'] as const) if (!(l[k] >= 0)) e[k] = strings.validation.minNumber(k, 0);
  return e;
}

/** The build-limit inputs shared by the create wizard and the build tab. */
export function LimitsFields({ value, errors, onChange }: { value: Limits; errors: Partial<Record<keyof Limits, string>>; onChange: (l: Limits) => void }) {
  const num = (k: keyof Limits, label: string) => (
    <NumberInput key={k} label={label} value={value[k] as number} error={errors[k]} onChange={(v) => onChange({ ...value, [k]: v === '' ? 0 : Number(v) })} />
  );
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
      {num('memory', s.memory)}
      {num('swap', s.swap)}
      {num('disk', s.disk)}
      {num('cpu', s.cpu)}
      {num('io', s.io)}
      <TextInput label={s.threads} value={value.threads} error={errors.threads} onChange={(e) => onChange({ ...value, threads: e.currentTarget.value })} />
      {num('databases', s.databases)}
      {num('allocations', s.allocationsLimit)}
      {num('backups', s.backups)}
      <Switch label={s.oomDisabled} checked={value.oom_disabled} onChange={(e) => onChange({ ...value, oom_disabled: e.currentTarget.checked })} mt="md" />
    </SimpleGrid>
  );
}

export function limitsBody(l: Limits) {
  return {
    limits: { memory: l.memory, swap: l.swap, disk: l.disk, io: l.io, cpu: l.cpu, threads: l.threads || null },
    oom_disabled: l.oom_disabled,
    feature_limits: { databases: l.databases, allocations: l.allocations, backups: l.backups },
  };
}
