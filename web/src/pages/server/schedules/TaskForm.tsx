import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, Modal, NumberInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import type { ScheduleTask, ScheduleTaskBody } from '../../../api/types';
import { FormError } from '../../../components/QueryState';
import { intInRange, required } from '../../../lib/validation';
import { strings } from '../../../strings';

/** Create or edit one task of a schedule. */
export function TaskForm({ path, invalidatePath, task, onClose }: { path: string; invalidatePath: string; task: ScheduleTask | null; onClose: () => void }) {
  const s = strings.schedules;
  const [action, setAction] = useState<ScheduleTaskBody['action']>((task?.action as ScheduleTaskBody['action'] | undefined) ?? 'command');
  const [payload, setPayload] = useState(task?.payload ?? '');
  const [offset, setOffset] = useState<string | number>(task?.time_offset ?? 0);
  const [cont, setCont] = useState(task?.continue_on_failure ?? false);
  const [errors, setErrors] = useState<{ payload?: string | null; offset?: string | null }>({});
  const save = useAction(
    () => request('POST', task ? `${path}/${task.id}` : path, { body: { action, payload, time_offset: Number(offset), continue_on_failure: cont } satisfies ScheduleTaskBody }),
    { invalidate: [invalidatePath], toastErrors: false, success: strings.common.saved, onSuccess: onClose },
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    const next = { payload: action === 'backup' ? null : required(payload, s.payload.toLowerCase()), offset: intInRange(offset, s.offset.toLowerCase(), 0, 900) };
    setErrors(next);
    if (!next.payload && !next.offset) save.mutate();
  }
  return (
    <Modal opened onClose={onClose} title={task ? s.editTask : s.addTask} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={save.error} />
          <Select
            label={s.action}
            value={action}
            allowDeselect={false}
            data={[
              { value: 'command', label: s.actionCommand },
              { value: 'power', label: s.actionPower },
              { value: 'backup', label: s.actionBackup },
            ]}
            onChange={(v) => {
              setAction((v ?? 'command') as ScheduleTaskBody['action']);
              setPayload(v === 'power' ? 'start' : '');
            }}
          />
          {action === 'command' && <TextInput label={s.payloadCommand} value={payload} error={errors.payload} classNames={{ input: 'aerie-mono' }} onChange={(e) => setPayload(e.currentTarget.value)} />}
          {action === 'power' && (
            <Select
              label={s.payloadPower}
              value={payload}
              allowDeselect={false}
              data={[
                { value: 'start', label: strings.console.start },
                { value: 'restart', label: strings.console.restart },
                { value: 'stop', label: strings.console.stop },
                { value: 'kill', label: strings.console.kill },
              ]}
              error={errors.payload}
              onChange={(v) => setPayload(v ?? 'start')}
            />
          )}
          {action === 'backup' && <Textarea label={s.payloadBackup} value={payload} autosize minRows={2} classNames={{ input: 'aerie-mono' }} onChange={(e) => setPayload(e.currentTarget.value)} />}
          <NumberInput label={s.offset} value={offset} min={0} max={900} error={errors.offset} onChange={setOffset} />
          <Checkbox label={s.continueOnFailure} checked={cont} onChange={(e) => setCont(e.currentTarget.checked)} />
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
