import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Group, NumberInput, PasswordInput, Select, SimpleGrid, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { ApiError } from '../api/client';
import { strings } from '../strings';
import { FormError } from './QueryState';

export type FieldValue = string | number | boolean | null;

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'number' | 'switch' | 'select' | 'textarea' | 'password' | 'email';
  description?: string;
  options?: { value: string; label: string }[];
  /** Returns an error message or null. */
  validate?: (value: FieldValue, all: Record<string, FieldValue>) => string | null;
  /** Full width in the two-column grid. */
  wide?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
}

/**
 * A form described by field specs: client-side checks per field, then `onSubmit`. A 422
 * from the panel is shown under the field it names (`meta.source_field`), any other
 * failure above the form, always with the panel's own message.
 */
export function FieldsForm({
  fields,
  initial,
  submitLabel = strings.common.save,
  onSubmit,
  onCancel,
  extra,
  columns = 2,
}: {
  fields: FieldSpec[];
  initial: Record<string, FieldValue>;
  submitLabel?: string;
  onSubmit: (values: Record<string, FieldValue>) => Promise<unknown>;
  onCancel?: () => void;
  extra?: ReactNode;
  columns?: number;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: string, v: FieldValue) => {
    setValues((old) => ({ ...old, [name]: v }));
    if (errors[name]) setErrors((e) => ({ ...e, [name]: null }));
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: Record<string, string | null> = {};
    for (const f of fields) {
      const v = values[f.name] ?? null;
      if (f.required && (v === null || v === '')) next[f.name] = strings.validation.required(f.label.toLowerCase());
      else next[f.name] = f.validate?.(v, values) ?? null;
    }
    setErrors(next);
    if (Object.values(next).some(Boolean)) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (err) {
      if (err instanceof ApiError && err.field && fields.some((f) => f.name === err.field)) {
        setErrors((x) => ({ ...x, [err.field as string]: err.detail }));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack>
        <FormError error={error} />
        <SimpleGrid cols={{ base: 1, sm: columns }} spacing="sm">
          {fields.map((f) => {
            const common = { label: f.label, description: f.description, error: errors[f.name], required: f.required, style: f.wide ? { gridColumn: '1 / -1' } : undefined };
            const v = values[f.name];
            switch (f.type) {
              case 'number':
                return <NumberInput key={f.name} {...common} value={typeof v === 'number' ? v : v === null || v === undefined ? '' : Number(v)} min={f.min} max={f.max} onChange={(x) => set(f.name, x === '' ? null : Number(x))} />;
              case 'switch':
                return <Switch key={f.name} label={f.label} description={f.description} checked={v === true} onChange={(e) => set(f.name, e.currentTarget.checked)} style={common.style} mt="sm" />;
              case 'select':
                return <Select key={f.name} {...common} data={f.options ?? []} value={v === null || v === undefined ? null : String(v)} searchable onChange={(x) => set(f.name, x)} />;
              case 'textarea':
                return <Textarea key={f.name} {...common} value={String(v ?? '')} autosize minRows={3} classNames={{ input: 'aerie-mono' }} onChange={(e) => set(f.name, e.currentTarget.value)} />;
              case 'password':
                return <PasswordInput key={f.name} {...common} value={String(v ?? '')} autoComplete="new-password" onChange={(e) => set(f.name, e.currentTarget.value)} />;
              default:
                return <TextInput key={f.name} {...common} type={f.type === 'email' ? 'email' : 'text'} value={String(v ?? '')} onChange={(e) => set(f.name, e.currentTarget.value)} />;
            }
          })}
        </SimpleGrid>
        {extra}
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              {strings.common.cancel}
            </Button>
          )}
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
