import { useState } from 'react';
import { Badge, Button, Group, Switch, TextInput, Text, Card, Stack } from '@mantine/core';
import { errorMessage, request } from '../../../api/client';
import { useAction } from '../../../api/query';
import type { ClientEggVariable } from '../../../api/types';
import { parseRules, validateRules } from '../../../lib/validation';
import { strings } from '../../../strings';

/** A boolean-like variable (`boolean` or `in:0,1` / `in:true,false`) renders as a switch. */
export function switchValues(rules: string): [string, string] | null {
  const list = parseRules(rules);
  if (list.some((r) => r.name === 'boolean')) return ['0', '1'];
  const inRule = list.find((r) => r.name === 'in');
  if (inRule && inRule.args.length === 2) {
    const set = [...inRule.args].sort().join(',');
    if (set === '0,1') return ['0', '1'];
    if (set === 'false,true') return ['false', 'true'];
  }
  return null;
}

/**
 * One startup variable: edited inline, checked against the egg's rules as the user types,
 * saved on Enter/blur/button; the panel's own 422 message replaces ours when it refuses.
 */
export function VariableField({ variable, path, canEdit }: { variable: ClientEggVariable; path: string; canEdit: boolean }) {
  const saved = variable.server_value ?? variable.default_value ?? '';
  const [value, setValue] = useState(saved);
  const [touched, setTouched] = useState(false);
  const local = touched ? validateRules(value, variable.rules, variable.name) : null;
  const save = useAction((v: string) => request('PUT', path, { body: { key: variable.env_variable, value: v } }), {
    invalidate: [path.replace(/\/variable$/, '')],
    toastErrors: false,
    success: strings.startup.savedVariable(variable.name),
  });
  const editable = canEdit && variable.is_editable;
  const serverError = save.error ? errorMessage(save.error) : null;
  const sw = switchValues(variable.rules);
  function commit(v: string) {
    setTouched(true);
    if (validateRules(v, variable.rules, variable.name) === null && v !== saved) save.mutate(v);
  }
  return (
    <Card withBorder padding="sm" radius="md" data-variable={variable.env_variable}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600} size="sm">
            {variable.name}
          </Text>
          {!editable && <Badge variant="light">{strings.startup.readOnly}</Badge>}
        </Group>
        {sw ? (
          <Switch
            label={variable.env_variable}
            checked={value === sw[1]}
            disabled={!editable || save.isPending}
            onChange={(e) => {
              const v = e.currentTarget.checked ? sw[1] : sw[0];
              setValue(v);
              commit(v);
            }}
          />
        ) : (
          <TextInput
            aria-label={variable.name}
            description={variable.env_variable}
            value={value}
            disabled={!editable}
            error={local ?? serverError}
            className="aerie-mono"
            onChange={(e) => {
              setValue(e.currentTarget.value);
              setTouched(true);
              save.reset();
            }}
            onBlur={() => commit(value)}
            onKeyDown={(e) => e.key === 'Enter' && commit(value)}
            rightSectionWidth={70}
            rightSection={
              editable && value !== saved && local === null ? (
                <Button size="compact-xs" loading={save.isPending} onClick={() => commit(value)}>
                  {strings.common.save}
                </Button>
              ) : null
            }
          />
        )}
        <Text size="xs" c="dimmed">
          {variable.description}
        </Text>
      </Stack>
    </Card>
  );
}
