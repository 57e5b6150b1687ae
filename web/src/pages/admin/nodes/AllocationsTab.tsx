import { useState, type FormEvent } from 'react';
import { Badge, Button, Card, Checkbox, Group, Pagination, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate, useGet } from '../../../api/query';
import type { Allocation, AllocationBody, List } from '../../../api/types';
import { FormError, QueryState } from '../../../components/QueryState';
import { parsePorts } from '../../../lib/validation';
import { strings } from '../../../strings';
import { APP } from '../appApi';

const s = strings.admin.nodes;

/** A node's allocations: add IP + ports/ranges, delete unassigned ones. */
export function AllocationsTab({ nodeId, defaultIp }: { nodeId: number; defaultIp: string }) {
  const [page, setPage] = useState(1);
  const path = `${APP}/nodes/${nodeId}/allocations`;
  const list = useGet<List<Allocation>>(`${path}?per_page=50&page=${page}`, { placeholderData: (p) => p });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const client = useQueryClient();
  const refresh = () => invalidate(client, [path]);
  async function removeSelected() {
    setError(null);
    try {
      for (const id of selected) await api.delete(`${path}/${id}`);
      setSelected(new Set());
    } catch (e) {
      setError(e);
    } finally {
      await refresh();
    }
  }
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
      <AddAllocations path={path} defaultIp={defaultIp} onAdded={refresh} />
      <Card withBorder padding="md" radius="md" style={{ gridColumn: 'span 2' }}>
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h5">
            {s.allocations}
          </Title>
          {selected.size > 0 && (
            <Button size="xs" color="red" variant="light" onClick={() => void removeSelected()}>
              {strings.common.delete} ({selected.size})
            </Button>
          )}
        </Group>
        <FormError error={error} />
        <QueryState query={list}>
          {(data) => {
            const pages = data.meta?.pagination?.total_pages ?? 1;
            return (
              <>
                <Table.ScrollContainer minWidth={360}>
                  <Table verticalSpacing={4} data-testid="allocations">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th w={32} />
                        <Table.Th>{s.ip}</Table.Th>
                        <Table.Th>{s.alias}</Table.Th>
                        <Table.Th>{s.ports}</Table.Th>
                        <Table.Th />
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.data.map(({ attributes: a }) => (
                        <Table.Tr key={a.id}>
                          <Table.Td>
                            {!a.assigned && (
                              <Checkbox
                                aria-label={`${a.ip}:${a.port}`}
                                checked={selected.has(a.id)}
                                onChange={() => {
                                  const next = new Set(selected);
                                  if (next.has(a.id)) next.delete(a.id);
                                  else next.add(a.id);
                                  setSelected(next);
                                }}
                              />
                            )}
                          </Table.Td>
                          <Table.Td className="aerie-mono">{a.ip}</Table.Td>
                          <Table.Td>{a.alias ?? '—'}</Table.Td>
                          <Table.Td className="aerie-mono">{a.port}</Table.Td>
                          <Table.Td>{a.assigned ? <Badge size="xs">{s.assigned}</Badge> : <Badge size="xs" variant="light" color="gray">{s.free}</Badge>}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {data.data.length === 0 && <Text c="dimmed">{strings.common.empty}</Text>}
                {pages > 1 && <Pagination mt="sm" total={pages} value={page} onChange={setPage} />}
              </>
            );
          }}
        </QueryState>
      </Card>
    </SimpleGrid>
  );
}

function AddAllocations({ path, defaultIp, onAdded }: { path: string; defaultIp: string; onAdded: () => unknown }) {
  const [ip, setIp] = useState(defaultIp);
  const [alias, setAlias] = useState('');
  const [ports, setPorts] = useState('');
  const [errors, setErrors] = useState<{ ip?: string | null; ports?: string | null }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parsePorts(ports);
    const next = { ip: ip.trim() ? null : strings.validation.required(s.ip.toLowerCase()), ports: 'error' in parsed ? parsed.error : null };
    setErrors(next);
    if (next.ip || next.ports || 'error' in parsed) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(path, { ip: ip.trim(), alias: alias.trim() || null, ports: parsed.ports } satisfies AllocationBody);
      setPorts('');
      await onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={(e: FormEvent) => void submit(e)} noValidate>
      <Title order={3} size="h5" mb="sm">
        {s.addAllocations}
      </Title>
      <Stack gap="sm">
        <FormError error={error} />
        <TextInput label={s.ip} value={ip} error={errors.ip} classNames={{ input: 'aerie-mono' }} onChange={(e) => setIp(e.currentTarget.value)} />
        <TextInput label={s.alias} value={alias} onChange={(e) => setAlias(e.currentTarget.value)} />
        <TextInput label={s.ports} description={s.portsHelp} value={ports} error={errors.ports} classNames={{ input: 'aerie-mono' }} onChange={(e) => setPorts(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            {s.addAllocations}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
