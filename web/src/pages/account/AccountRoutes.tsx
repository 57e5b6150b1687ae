import { lazy } from 'react';
import { ActivityList } from '../../components/ActivityList';
import { NotFound } from '../../components/NotFound';
import { PageHeader } from '../../components/PageHeader';
import { useParams } from '../../router';
import { strings } from '../../strings';
import { AccountOverview } from './AccountOverview';

const ApiKeysPage = lazy(() => import('./ApiKeysPage'));
const SshKeysPage = lazy(() => import('./SshKeysPage'));

/** `/account` and `/account/:section` (default export: loaded on first visit). */
export default function AccountRoutes() {
  const section = useParams().section;
  switch (section) {
    case undefined:
      return <AccountOverview />;
    case 'api':
      return <ApiKeysPage />;
    case 'ssh':
      return <SshKeysPage />;
    case 'activity':
      return (
        <>
          <PageHeader title={strings.account.activity} />
          <ActivityList path="/api/client/account/activity" />
        </>
      );
    default:
      return <NotFound />;
  }
}
