import { lazy } from 'react';
import { Divider, Stack } from '@mantine/core';
import { AppFrame } from '../../components/AppFrame';
import { IconActivity, IconDatabase, IconEgg, IconHdd, IconHome, IconKey, IconMap, IconMount, IconServer, IconSettings, IconUsers } from '../../components/Icons';
import { NavItem } from '../../components/NavItem';
import { Switch } from '../../components/Switch';
import { strings } from '../../strings';

const OverviewPage = lazy(() => import('./overview/OverviewPage'));
const SettingsPage = lazy(() => import('./settings/SettingsPage'));
const UsersPage = lazy(() => import('./users/UsersPage'));
const LocationsPage = lazy(() => import('./locations/LocationsPage'));
const NodesPage = lazy(() => import('./nodes/NodesPage'));
const NodeDetailPage = lazy(() => import('./nodes/NodeDetailPage'));
const NestsPage = lazy(() => import('./nests/NestsPage'));
const NestDetailPage = lazy(() => import('./nests/NestDetailPage'));
const EggDetailPage = lazy(() => import('./nests/EggDetailPage'));
const ServersPage = lazy(() => import('./servers/ServersPage'));
const CreateServerPage = lazy(() => import('./servers/CreateServerPage'));
const ServerDetailPage = lazy(() => import('./servers/ServerDetailPage'));
const DatabaseHostsPage = lazy(() => import('./databaseHosts/DatabaseHostsPage'));
const MountsPage = lazy(() => import('./mounts/MountsPage'));
const ApiKeysPage = lazy(() => import('./apiKeys/ApiKeysPage'));

/** `/admin/*` (default export: loaded on first visit; administrators only). */
export default function AdminRoutes() {
  const s = strings.nav;
  return (
    <AppFrame
      nav={
        <Stack gap={2}>
          <NavItem to="/" exact label={strings.nav.portal} icon={<IconHome />} />
          <Divider my="xs" label={s.admin} labelPosition="left" />
          <NavItem to="/admin" exact label={s.overview} icon={<IconActivity />} />
          <NavItem to="/admin/settings" label={s.settings} icon={<IconSettings />} />
          <NavItem to="/admin/users" label={s.users} icon={<IconUsers />} />
          <NavItem to="/admin/locations" label={s.locations} icon={<IconMap />} />
          <NavItem to="/admin/nodes" label={s.nodes} icon={<IconHdd />} />
          <NavItem to="/admin/nests" label={s.nests} icon={<IconEgg />} />
          <NavItem to="/admin/servers" label={s.servers} icon={<IconServer />} />
          <NavItem to="/admin/databases" label={s.databaseHosts} icon={<IconDatabase />} />
          <NavItem to="/admin/mounts" label={s.mounts} icon={<IconMount />} />
          <NavItem to="/admin/api" label={s.apiKeys} icon={<IconKey />} />
        </Stack>
      }
    >
      <Switch
        routes={[
          ['/admin', () => <OverviewPage />],
          ['/admin/settings', () => <SettingsPage />],
          ['/admin/users', () => <UsersPage />],
          ['/admin/locations', () => <LocationsPage />],
          ['/admin/nodes', () => <NodesPage />],
          ['/admin/nodes/:node', () => <NodeDetailPage />],
          ['/admin/nests', () => <NestsPage />],
          ['/admin/nests/:nest', () => <NestDetailPage />],
          ['/admin/nests/:nest/eggs/:egg', () => <EggDetailPage />],
          ['/admin/servers', () => <ServersPage />],
          ['/admin/servers/new', () => <CreateServerPage />],
          ['/admin/servers/:server', () => <ServerDetailPage />],
          ['/admin/databases', () => <DatabaseHostsPage />],
          ['/admin/mounts', () => <MountsPage />],
          ['/admin/api', () => <ApiKeysPage />],
        ]}
      />
    </AppFrame>
  );
}
