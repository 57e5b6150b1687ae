import { useState } from 'react';
import { Pagination, SimpleGrid, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useSession } from '../../api/auth';
import { useGet } from '../../api/query';
import type { ClientServer, List } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { strings } from '../../strings';
import { ServerCard } from './ServerCard';

/** `/`: the user's servers with live status and resource bars. */
export function DashboardPage() {
  const admin = useSession().data?.admin === true;
  const [all, setAll] = useState(false);
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState('');
  const [debounced] = useDebouncedValue(filter, 250);
  const q = new URLSearchParams({ page: String(page), per_page: '24' });
  if (all) q.set('type', 'admin-all');
  if (debounced.trim()) q.set('filter[name]', debounced.trim());
  const servers = useGet<List<ClientServer>>(`/api/client?${q.toString()}`, { placeholderData: (prev) => prev });
  return (
    <>
      <PageHeader
        title={strings.dashboard.title}
        actions={
          <>
            <TextInput
              aria-label={strings.dashboard.searchPlaceholder}
              placeholder={strings.dashboard.searchPlaceholder}
              value={filter}
              onChange={(e) => {
                setFilter(e.currentTarget.value);
                setPage(1);
              }}
            />
            {admin && <Switch label={strings.dashboard.showAll} checked={all} onChange={(e) => { setAll(e.currentTarget.checked); setPage(1); }} />}
          </>
        }
      />
      <QueryState query={servers}>
        {(list) => {
          const pages = list.meta?.pagination?.total_pages ?? 1;
          if (list.data.length === 0) return <Text c="dimmed">{strings.dashboard.empty}</Text>;
          return (
            <>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
                {list.data.map((s) => (
                  <ServerCard key={s.attributes.uuid} server={s.attributes} />
                ))}
              </SimpleGrid>
              {pages > 1 && <Pagination mt="md" total={pages} value={page} onChange={setPage} />}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
