import { useState } from 'react';
import { Badge, Button, Card, Code, Group, Stack, Text } from '@mantine/core';
import { useGet } from '../../../api/query';
import type { List, Schedule } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { formatDate } from '../../../lib/format';
import { Link, navigate } from '../../../router';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { cronText, ScheduleForm } from './ScheduleForm';

/** `/server/:id/schedules`. */
export default function SchedulesPage() {
  const { id, base, can } = useServer();
  const path = `${base}/schedules`;
  const list = useGet<List<Schedule>>(can('schedule.read') ? path : null);
  const [creating, setCreating] = useState(false);
  if (!can('schedule.read')) return <NoPermission />;
  return (
    <>
      <PageHeader title={strings.schedules.title} actions={can('schedule.create') && <Button onClick={() => setCreating(true)}>{strings.schedules.create}</Button>} />
      <QueryState query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{strings.schedules.empty}</Text>
          ) : (
            <Stack gap="sm">
              {data.data.map(({ attributes: s }) => (
                <Card key={s.id} withBorder padding="sm" radius="md">
                  <Group justify="space-between" wrap="wrap">
                    <div>
                      <Text fw={600} component={Link} to={`/server/${id}/schedules/${s.id}`} className="aerie-row-link">
                        {s.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {strings.schedules.lastRun}: {formatDate(s.last_run_at)} · {strings.schedules.nextRun}: {formatDate(s.next_run_at)}
                      </Text>
                    </div>
                    <Group gap="xs">
                      <Code>{cronText(s.cron)}</Code>
                      {s.is_processing ? <Badge color="blue">{strings.schedules.processing}</Badge> : s.is_active ? <Badge color="green">{strings.schedules.active}</Badge> : <Badge color="gray">{strings.schedules.inactive}</Badge>}
                    </Group>
                  </Group>
                </Card>
              ))}
            </Stack>
          )
        }
      </QueryState>
      {creating && <ScheduleForm path={path} schedule={null} onClose={() => setCreating(false)} onSaved={(s) => navigate(`/server/${id}/schedules/${s.id}`)} />}
    </>
  );
}
