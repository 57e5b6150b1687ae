import { useState, type FormEvent } from 'react';
import { Anchor, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from '../../../api/client';
import { invalidate, useGet } from '../../../api/query';
import type { Item, PanelSettings } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { APP } from '../appApi';
import { MAX_PORT, MIN_PORT, settingsBody, toValues, validateSettings, type SettingsErrors, type SettingsValues } from './settingsForm';

const s = strings.admin.settings;
const PATH = `${APP}/settings`;

/** `/admin/settings`: the panel settings an administrator can change here. */
export default function SettingsPage() {
  const settings = useGet<Item<PanelSettings>>(PATH);
  return (
    <>
      <PageHeader title={s.title} />
      <Stack>
        <QueryState query={settings}>{(data) => <SettingsForm initial={toValues(data.attributes)} />}</QueryState>
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="xs">
            {s.config}
          </Title>
          <Text size="sm" mb="xs">
            {s.configHint}
          </Text>
          <Text size="sm">
            {s.openapi}:{' '}
            <Anchor href="/api/openapi.json" target="_blank" rel="noopener">
              /api/openapi.json
            </Anchor>
          </Text>
        </Card>
      </Stack>
    </>
  );
}

function SettingsForm({ initial }: { initial: SettingsValues }) {
  const client = useQueryClient();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof SettingsValues>(name: K, value: SettingsValues[K]) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const next = validateSettings(values);
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await request<Item<PanelSettings>>('PATCH', PATH, { body: settingsBody(values) });
      setValues(toValues(saved.attributes));
      await invalidate(client, [PATH]);
      notifications.show({ color: 'green', message: s.saved });
    } catch (err) {
      // A 422 goes under the field the panel names; anything else above the form.
      if (err instanceof ApiError && err.field && err.field in values) setErrors({ [err.field]: err.detail });
      else setError(err);
    } finally {
      setBusy(false);
    }
  }
  const port = (x: string | number) => (x === '' ? null : Number(x));
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack>
        <FormError error={error} />
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="sm">
            {s.security}
          </Title>
          <Select
            label={s.twoFactor}
            description={s.twoFactorHint}
            data={['0', '1', '2'].map((v) => ({ value: v, label: s.twoFactorLevels[v] ?? v }))}
            value={values.two_factor_required}
            allowDeselect={false}
            error={errors.two_factor_required}
            onChange={(x) => set('two_factor_required', x ?? '0')}
            maw={420}
          />
        </Card>
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="sm">
            {s.allocations}
          </Title>
          <Switch label={s.allocationsEnabled} description={s.allocationsHint} checked={values.client_allocations_enabled} onChange={(e) => set('client_allocations_enabled', e.currentTarget.checked)} mb="sm" />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" maw={520}>
            <NumberInput label={s.rangeStart} min={MIN_PORT} max={MAX_PORT} allowDecimal={false} value={values.client_allocations_range_start ?? ''} error={errors.client_allocations_range_start} onChange={(x) => set('client_allocations_range_start', port(x))} />
            <NumberInput label={s.rangeEnd} min={MIN_PORT} max={MAX_PORT} allowDecimal={false} value={values.client_allocations_range_end ?? ''} error={errors.client_allocations_range_end} onChange={(x) => set('client_allocations_range_end', port(x))} />
          </SimpleGrid>
        </Card>
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            {strings.common.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
