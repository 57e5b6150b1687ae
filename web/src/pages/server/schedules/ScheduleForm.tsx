import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import type { Item, Schedule, ScheduleBody } from '../../../api/types';
import { FormError } from '../../../components/QueryState';
import { cronField, required } from '../../../lib/validation';
import { strings } from '../../../strings';

type Fields = 'name' | 'minute' | 'hour' | 'day_of_month' | 'month' | 'day_of_week';

/** Create (`schedule` null) or edit a schedule: name, cron fields, flags. */
export function ScheduleForm({ path, schedule, onClose, onSaved }: { path: string; schedule: Schedule | null; onClose: () => void; onSaved?: (s: Schedule) => void }) {
  const [v, setV] = useState<Record<Fields, string>>({
    name: schedule?.name ?? '',
    minute: schedule?.cron.minute ?? '*/5',
    hour: schedule?.cron.hour ?? '*',
    day_of_month: schedule?.cron.day_of_month ?? '*',
    month: schedule?.cron.month ?? '*',
    day_of_week: schedule?.cron.day_of_week ?? '*',
  });
  const [active, setActive] = useState(schedule?.is_active ?? true);
  const [online, setOnline] = useState(schedule?.only_when_online ?? false);
  const [errors, setErrors] = useState<Partial<Record<Fields, string | null>>>({});
  const save = useAction(
    () => request<Item<Schedule>>('POST', schedule ? `${path}/${schedule.id}` : path, { body: { ...v, is_active: active, only_when_online: online } satisfies ScheduleBody }),
    { invalidate: [path], toastErrors: false, success: strings.common.saved, onSuccess: (r) => { onSaved?.(r.attributes); onClose(); } },
  );
  const s = strings.schedules;
  const labels: Record<Exclude<Fields, 'name'>, string> = { minute: s.minute, hour: s.hour, day_of_month: s.dayOfMonth, month: s.month, day_of_week: s.dayOfWeek };
  function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = { name: required(v.name, s.nameLabel.toLowerCase()) };
    for (const k of Object.keys(labels) as (keyof typeof labels)[]) next[k] = cronField(v[k], labels[k].toLowerCase());
    setErrors(next);
    if (Object.values(next).every((x) => !x)) save.mutate();
  }
  const set = (k: Fields) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setV((old) => ({ ...old, [k]: value }));
  };
  return (
    <Modal opened onClose={onClose} title={schedule ? s.editSchedule : s.create} size="lg" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={save.error} />
          <TextInput label={s.nameLabel} value={v.name} error={errors.name} onChange={set('name')} data-autofocus />
          <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs">
            {(Object.keys(labels) as (keyof typeof labels)[]).map((k) => (
              <TextInput key={k} label={labels[k]} value={v[k]} error={errors[k]} onChange={set(k)} classNames={{ input: 'aerie-mono' }} />
            ))}
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            {s.cronHelp}
          </Text>
          <Switch label={s.active} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <Switch label={s.onlyWhenOnline} checked={online} onChange={(e) => setOnline(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {strings.common.save}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function cronText(c: Schedule['cron']): string {
  return `${c.minute} ${c.hour} ${c.day_of_month} ${c.month} ${c.day_of_week}`;
}
