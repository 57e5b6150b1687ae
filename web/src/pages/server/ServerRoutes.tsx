import { lazy } from 'react';
import { Switch } from '../../components/Switch';
import { matchPath, usePath } from '../../router';
import { ServerLayout } from './ServerLayout';

const ConsolePage = lazy(() => import('./console/ConsolePage'));
const FilesPage = lazy(() => import('./files/FilesPage'));
const FileEditPage = lazy(() => import('./files/FileEditPage'));
const DatabasesPage = lazy(() => import('./databases/DatabasesPage'));
const SchedulesPage = lazy(() => import('./schedules/SchedulesPage'));
const ScheduleDetailPage = lazy(() => import('./schedules/ScheduleDetailPage'));
const UsersPage = lazy(() => import('./users/UsersPage'));
const BackupsPage = lazy(() => import('./backups/BackupsPage'));
const NetworkPage = lazy(() => import('./network/NetworkPage'));
const StartupPage = lazy(() => import('./startup/StartupPage'));
const SettingsPage = lazy(() => import('./settings/SettingsPage'));
const ActivityPage = lazy(() => import('./activity/ActivityPage'));

/** `/server/:id/*` (default export: loaded on first visit). */
export default function ServerRoutes() {
  const path = usePath();
  const id = matchPath('/server/:id', path, true)?.id ?? '';
  return (
    <ServerLayout key={id} id={id}>
      <Switch
        routes={[
          ['/server/:id', () => <ConsolePage />],
          ['/server/:id/files', () => <FilesPage />],
          ['/server/:id/files/edit', () => <FileEditPage />],
          ['/server/:id/databases', () => <DatabasesPage />],
          ['/server/:id/schedules', () => <SchedulesPage />],
          ['/server/:id/schedules/:schedule', () => <ScheduleDetailPage />],
          ['/server/:id/users', () => <UsersPage />],
          ['/server/:id/backups', () => <BackupsPage />],
          ['/server/:id/network', () => <NetworkPage />],
          ['/server/:id/startup', () => <StartupPage />],
          ['/server/:id/settings', () => <SettingsPage />],
          ['/server/:id/activity', () => <ActivityPage />],
        ]}
      />
    </ServerLayout>
  );
}
