import type { ReactNode } from 'react';
import { Alert, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { useGet } from '../../api/query';
import type { ClientServer, ClientServerMeta, Item } from '../../api/types';
import { AppFrame } from '../../components/AppFrame';
import {
  IconActivity,
  IconArchive,
  IconClock,
  IconDatabase,
  IconFolder,
  IconHome,
  IconNetwork,
  IconRocket,
  IconSettings,
  IconTerminal,
  IconUsers,
} from '../../components/Icons';
import { NavItem } from '../../components/NavItem';
import { ErrorAlert, QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { strings } from '../../strings';
import { displayState } from '../dashboard/ServerCard';
import { makeCan, ServerContext } from './ServerContext';
import { useServerSocket } from './useServerSocket';

type ServerItem = Item<ClientServer> & { meta: ClientServerMeta };

/** The tabs of a server, each shown only with the permission it needs. */
const TABS: { path: string; label: string; icon: ReactNode; permission?: string }[] = [
  { path: '', label: strings.nav.console, icon: <IconTerminal /> },
  { path: '/files', label: strings.nav.files, icon: <IconFolder />, permission: 'file.read' },
  { path: '/databases', label: strings.nav.databases, icon: <IconDatabase />, permission: 'database.read' },
  { path: '/schedules', label: strings.nav.schedules, icon: <IconClock />, permission: 'schedule.read' },
  { path: '/users', label: strings.nav.users, icon: <IconUsers />, permission: 'user.read' },
  { path: '/backups', label: strings.nav.backups, icon: <IconArchive />, permission: 'backup.read' },
  { path: '/network', label: strings.nav.network, icon: <IconNetwork />, permission: 'allocation.read' },
  { path: '/startup', label: strings.nav.startup, icon: <IconRocket />, permission: 'startup.read' },
  { path: '/settings', label: strings.nav.settings, icon: <IconSettings /> },
  { path: '/activity', label: strings.nav.activity, icon: <IconActivity />, permission: 'activity.read' },
];

/** Loads the server, opens its websocket, and frames its pages with the tab navigation. */
export function ServerLayout({ id, children }: { id: string; children: ReactNode }) {
  const query = useGet<ServerItem>(`/api/client/servers/${id}`, { refetchInterval: 30_000 });
  const server = query.data?.attributes;
  const live = useServerSocket(id, server !== undefined && !server.is_suspended);
  const can = query.data ? makeCan(query.data.meta) : () => false;
  const nav = (
    <Stack gap={2}>
      <NavItem to="/" exact label={strings.nav.servers} icon={<IconHome />} />
      <Divider my="xs" label={server?.name} labelPosition="left" />
      {TABS.filter((t) => !t.permission || can(t.permission) || (t.path === '/settings')).map((t) => (
        <NavItem key={t.path} to={`/server/${id}${t.path}`} exact={t.path === ''} label={t.label} icon={t.icon} />
      ))}
    </Stack>
  );
  return (
    <AppFrame nav={nav}>
      <QueryState query={query}>
        {(data) => {
          const s = data.attributes;
          const state = displayState(s, live.state ?? undefined);
          const value = { id, server: s, meta: data.meta, live, base: `/api/client/servers/${id}`, can: makeCan(data.meta) };
          return (
            <ServerContext.Provider value={value}>
              <Group justify="space-between" mb="sm" wrap="nowrap">
                <div style={{ minWidth: 0 }}>
                  <Title order={2} size="h4" lineClamp={1}>
                    {s.name}
                  </Title>
                  {s.description && (
                    <Text size="sm" c="dimmed" truncate>
                      {s.description}
                    </Text>
                  )}
                </div>
                <StatusBadge state={state} />
              </Group>
              <StateNotice server={s} />
              {children}
            </ServerContext.Provider>
          );
        }}
      </QueryState>
    </AppFrame>
  );
}

function StateNotice({ server }: { server: ClientServer }) {
  let text: string | null = null;
  let color = 'yellow';
  if (server.is_suspended) {
    text = strings.server.suspendedNotice;
    color = 'red';
  } else if (server.is_transferring) text = strings.server.transferringNotice;
  else if (server.status === 'install_failed' || server.status === 'reinstall_failed') {
    text = strings.server.installFailedNotice;
    color = 'red';
  } else if (server.status === 'restoring_backup') text = strings.server.restoringNotice;
  else if (server.is_installing || server.status === 'installing') text = strings.server.installingNotice;
  else if (server.is_node_under_maintenance) text = strings.server.maintenanceNotice;
  if (!text) return null;
  return (
    <Alert color={color} variant="light" mb="md" role="status">
      {text}
    </Alert>
  );
}

/** Shown by a tab the user lacks the permission for. */
export function NoPermission() {
  return <ErrorAlert error={new Error(strings.server.noPermission)} title={strings.server.noPermission} />;
}
