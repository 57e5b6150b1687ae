import { ActivityList } from '../../../components/ActivityList';
import { PageHeader } from '../../../components/PageHeader';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';

/** `/server/:id/activity`. */
export default function ActivityPage() {
  const { base, can } = useServer();
  if (!can('activity.read')) return <NoPermission />;
  return (
    <>
      <PageHeader title={strings.activity.title} />
      <ActivityList path={`${base}/activity`} />
    </>
  );
}
