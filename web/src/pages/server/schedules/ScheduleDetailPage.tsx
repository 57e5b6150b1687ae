import { useState } from 'react';
import { Badge, Button, Card, Code, Group, Stack, Text } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { Item, Schedule, ScheduleTask } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { formatDate } from '../../../lib/format';
import { Link, navigate, useParam } from '../../../router';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { cronText, ScheduleForm } from './ScheduleForm';
import { TaskForm } from './TaskForm';

/** `/server/:id/schedules/:schedule`: a schedule and its tasks. */
export default function ScheduleDetailPage() {
  const { id, base, can } = useServer();
  const sid = useParam('schedule');
  const listPath = `${base}/schedules`;
  const path = `${listPath}/${sid}`;
  const q = useGet<Item<Schedule>>(can('schedule.read') ? path : null, { refetchInterval: (x) => (x.state.data?.attributes.is_processing ? 2000 : false) });
  const [editing, setEditing] = useState(false);
  const [task, setTask] = useState<ScheduleTask | 'new' | null>(null);
  const run = useAction(() => request('POST', `${path}/execute`), { invalidate: [listPath], success: strings.schedules.ran });
  const remove = useAction(() => request('DELETE', path), { invalidate: [listPath], onSuccess: () => navigate(`/server/${id}/schedules`) });
  const removeTask = useAction((t: ScheduleTask) => request('DELETE', `${path}/tasks/${t.id}`), { invalidate: [listPath] });
  if (!can('schedule.read')) return <NoPermission />;
  return (
    <QueryState query={q}>
      {({ attributes: s }) => {
        const tasks = [...(s.relationships?.tasks?.data ?? [])].map((t) => t.attributes).sort((a, b) => a.sequence_id - b.sequence_id);
        return (
          <>
            <PageHeader
              title={s.name}
              description={<Code>{cronText(s.cron)}</Code>}
              actions={
                <>
                  <Button component={Link} to={`/server/${id}/schedules`} variant="default">
                    {strings.schedules.back}
                  </Button>
                  {can('schedule.update') && (
                    <>
                      <Button variant="default" onClick={() => setEditing(true)}>
                        {strings.common.edit}
                      </Button>
                      <Button onClick={() => run.mutate()} loading={run.isPending} disabled={tasks.length === 0}>
                        {strings.schedules.runNow}
                      </Button>
                    </>
                  )}
                  {can('schedule.delete') && (
                    <ConfirmButton variant="light" title={strings.common.delete} message={strings.common.confirmDelete(s.name)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
                      {strings.common.delete}
                    </ConfirmButton>
                  )}
                </>
              }
            />
            <Group gap="xs" mb="md">
              {s.is_processing ? <Badge color="blue">{strings.schedules.processing}</Badge> : s.is_active ? <Badge color="green">{strings.schedules.active}</Badge> : <Badge color="gray">{strings.schedules.inactive}</Badge>}
              {s.only_when_online && <Badge variant="light">{strings.schedules.onlyWhenOnline}</Badge>}
              <Text size="xs" c="dimmed">
                {strings.schedules.lastRun}: {formatDate(s.last_run_at)} · {strings.schedules.nextRun}: {formatDate(s.next_run_at)}
              </Text>
            </Group>
            <Group justify="space-between" mb="xs">
              <Text fw={600}>{strings.schedules.tasks}</Text>
              {can('schedule.update') && (
                <Button size="xs" onClick={() => setTask('new')}>
                  {strings.schedules.addTask}
                </Button>
              )}
            </Group>
            {tasks.length === 0 ? (
              <Text c="dimmed">{strings.schedules.noTasks}</Text>
            ) : (
              <Stack gap="xs">
                {tasks.map((t) => (
                  <Card key={t.id} withBorder padding="sm" radius="md">
                    <Group justify="space-between" wrap="nowrap">
                      <div style={{ minWidth: 0 }}>
                        <Group gap="xs">
                          <Badge variant="light">#{t.sequence_id}</Badge>
                          <Text size="sm" fw={600}>
                            {t.action === 'command' ? strings.schedules.actionCommand : t.action === 'power' ? strings.schedules.actionPower : strings.schedules.actionBackup}
                          </Text>
                          {Number(t.time_offset) > 0 && <Text size="xs" c="dimmed">+{t.time_offset}s</Text>}
                          {t.is_queued && <Badge color="blue">{strings.schedules.processing}</Badge>}
                        </Group>
                        {t.payload && <Code>{t.payload}</Code>}
                      </div>
                      {can('schedule.update') && (
                        <Group gap="xs" wrap="nowrap">
                          <Button size="xs" variant="default" onClick={() => setTask(t)}>
                            {strings.common.edit}
                          </Button>
                          <Button size="xs" color="red" variant="light" onClick={() => removeTask.mutate(t)}>
                            {strings.common.delete}
                          </Button>
                        </Group>
                      )}
                    </Group>
                  </Card>
                ))}
              </Stack>
            )}
            {editing && <ScheduleForm path={listPath} schedule={s} onClose={() => setEditing(false)} />}
            {task !== null && <TaskForm path={`${path}/tasks`} invalidatePath={listPath} task={task === 'new' ? null : task} onClose={() => setTask(null)} />}
          </>
        );
      }}
    </QueryState>
  );
}
