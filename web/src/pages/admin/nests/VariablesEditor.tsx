import { useState } from 'react';
import { Button, Card, Group, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { FormError } from '../../../components/QueryState';
import { parseRules } from '../../../lib/validation';
import { strings } from '../../../strings';
import type { ExportedVariable } from './eggFile';

const s = strings.admin.nests;
const blank: ExportedVariable = { name: '', description: '', env_variable: '', default_value: '', user_viewable: true, user_editable: true, rules: 'required|string', field_type: 'text' };

/** Checks one variable; returns field → message. */
export function checkVariable(v: ExportedVariable, all: ExportedVariable[]): Partial<Record<keyof ExportedVariable, string>> {
  const e: Partial<Record<keyof ExportedVariable, string>> = {};
  if (!v.name.trim()) e.name = strings.validation.required(strings.common.name.toLowerCase());
  if (!/^[A-Z_][A-Z0-9_]*$/i.test(v.env_variable)) e.env_variable = strings.validation.alphaDash(s.envVariable.toLowerCase());
  else if (all.filter((x) => x.env_variable === v.env_variable).length > 1) e.env_variable = `${v.env_variable}: duplicate`;
  if (parseRules(v.rules).length === 0) e.rules = strings.validation.required(s.rules.toLowerCase());
  return e;
}

/**
 * Edits an egg's variables. The application API has no per-variable routes, so the egg is
 * exported, its `variables` replaced, and imported again (an import updates the egg in place).
 */
export function VariablesEditor({ initial, onSave }: { initial: ExportedVariable[]; onSave: (vars: ExportedVariable[]) => Promise<unknown> }) {
  const [vars, setVars] = useState<ExportedVariable[]>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState(false);
  const errors = vars.map((v) => checkVariable(v, vars));
  const set = (i: number, patch: Partial<ExportedVariable>) => setVars((list) => list.map((v, k) => (k === i ? { ...v, ...patch } : v)));
  async function save() {
    setChecked(true);
    if (errors.some((e) => Object.keys(e).length)) return;
    setBusy(true);
    setError(null);
    try {
      await onSave(vars);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Stack>
      <FormError error={error} />
      {vars.map((v, i) => {
        const e = checked ? errors[i] ?? {} : {};
        return (
          <Card key={i} withBorder padding="sm" radius="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
              <TextInput label={strings.common.name} value={v.name} error={e.name} onChange={(x) => set(i, { name: x.currentTarget.value })} />
              <TextInput label={s.envVariable} value={v.env_variable} error={e.env_variable} classNames={{ input: 'aerie-mono' }} onChange={(x) => set(i, { env_variable: x.currentTarget.value.toUpperCase() })} />
              <TextInput label={s.defaultValue} value={v.default_value} onChange={(x) => set(i, { default_value: x.currentTarget.value })} />
              <TextInput label={s.rules} value={v.rules} error={e.rules} classNames={{ input: 'aerie-mono' }} onChange={(x) => set(i, { rules: x.currentTarget.value })} />
              <Textarea label={strings.common.description} value={v.description} autosize style={{ gridColumn: '1 / -1' }} onChange={(x) => set(i, { description: x.currentTarget.value })} />
              <Switch label={s.userViewable} checked={v.user_viewable} onChange={(x) => set(i, { user_viewable: x.currentTarget.checked })} />
              <Switch label={s.userEditable} checked={v.user_editable} onChange={(x) => set(i, { user_editable: x.currentTarget.checked })} />
            </SimpleGrid>
            <Group justify="flex-end" mt="xs">
              <Button size="xs" color="red" variant="subtle" onClick={() => setVars((list) => list.filter((_, k) => k !== i))}>
                {strings.common.delete}
              </Button>
            </Group>
          </Card>
        );
      })}
      {vars.length === 0 && <Text c="dimmed">{strings.common.empty}</Text>}
      <Group justify="space-between">
        <Button variant="default" onClick={() => setVars((list) => [...list, { ...blank }])}>
          {s.addVariable}
        </Button>
        <Button onClick={() => void save()} loading={busy}>
          {strings.common.save}
        </Button>
      </Group>
    </Stack>
  );
}
