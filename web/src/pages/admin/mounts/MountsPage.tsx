import { Alert } from '@mantine/core';
import { PageHeader } from '../../../components/PageHeader';
import { strings } from '../../../strings';

/** `/admin/mounts`: the panel has no mounts API yet. */
export default function MountsPage() {
  return (
    <>
      <PageHeader title={strings.admin.mounts.title} />
      <Alert color="blue" variant="light">
        {strings.admin.mounts.noApi}
      </Alert>
    </>
  );
}
