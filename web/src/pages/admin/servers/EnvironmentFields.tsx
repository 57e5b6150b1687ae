import { SimpleGrid, TextInput } from '@mantine/core';
import type { EggVariable } from '../../../api/types';
import { validateRules } from '../../../lib/validation';

/** Checks every variable against its egg rules; returns env → message. */
export function checkEnvironment(vars: EggVariable[], env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    const msg = validateRules(env[v.env_variable] ?? '', v.rules, v.name);
    if (msg) out[v.env_variable] = msg;
  }
  return out;
}

/** One input per egg variable, with its rules checked inline. */
export function EnvironmentFields({ vars, env, errors, onChange }: { vars: EggVariable[]; env: Record<string, string>; errors: Record<string, string>; onChange: (env: Record<string, string>) => void }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      {vars.map((v) => (
        <TextInput
          key={v.env_variable}
          label={v.name}
          description={`${v.env_variable} · ${v.rules}`}
          value={env[v.env_variable] ?? ''}
          error={errors[v.env_variable]}
          className="aerie-mono"
          onChange={(e) => onChange({ ...env, [v.env_variable]: e.currentTarget.value })}
        />
      ))}
    </SimpleGrid>
  );
}
