import { useState } from 'react';
import { Badge, Button, Divider, Group, Modal, MultiSelect, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { api, invalidate } from '../../../api/query';
import type { Item, Mount, Nest, Node } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FieldsForm } from '../../../components/FieldsForm';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { initialValues, linkChanges, mountBody, mountLinks, nameError, pathError } from './mountForm';

const s = strings.admin.mounts;
const INCLUDE = { include: 'eggs,nodes,servers' };

/** `/admin/mounts`: list, create, edit, delete, and the eggs and nodes each mount is linked to. */
export default function MountsPage() {
  const list = useAppList<Mount>('/mounts', INCLUDE);
  const [editing, setEditing] = useState<Mount | 'new' | null>(null);
  const client = useQueryClient();
  const refresh = () => invalidate(client, [`${APP}/mounts`]);
  return (
    <>
      <PageHeader title={s.title} description={s.intro} actions={<Button onClick={() => setEditing('new')}>{s.create}</Button>} />
      <QueryState query={list}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{s.empty}</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing={6} highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{s.name}</Table.Th>
                    <Table.Th>{s.paths}</Table.Th>
                    <Table.Th>{s.mode}</Table.Th>
                    <Table.Th>{s.eggs}</Table.Th>
                    <Table.Th>{s.nodes}</Table.Th>
                    <Table.Th>{s.servers}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {attrs(data).map((m) => {
                    const links = mountLinks(m);
                    return (
                      <Table.Tr key={m.id}>
                        <Table.Td>
                          <Text size="sm" fw={600}>
                            {m.name}
                          </Text>
                          {m.description && (
                            <Text size="xs" c="dimmed">
                              {m.description}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td className="aerie-mono">
                          {m.source} → {m.target}
                        </Table.Td>
                        <Table.Td>
                          <Badge size="sm" variant="light" color={m.read_only ? 'gray' : 'blue'}>
                            {m.read_only ? s.readOnly : s.readWrite}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{links.eggs.length}</Table.Td>
                        <Table.Td>{links.nodes.length}</Table.Td>
                        <Table.Td>{links.servers.length}</Table.Td>
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap" justify="flex-end">
                            <Button size="xs" variant="default" onClick={() => setEditing(m)}>
                              {strings.common.edit}
                            </Button>
                            <ConfirmButton
                              size="xs"
                              variant="light"
                              title={strings.common.delete}
                              message={s.confirmDelete(m.name, links.servers.length)}
                              confirmLabel={strings.common.delete}
                              onConfirm={async () => {
                                await api.delete(`${APP}/mounts/${m.id}`);
                                notifications.show({ color: 'green', message: s.deleted });
                                await refresh();
                              }}
                            >
                              {strings.common.delete}
                            </ConfirmButton>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      {editing !== null && (
        <Modal opened onClose={() => setEditing(null)} title={editing === 'new' ? s.create : editing.name} size="lg" centered>
          <MountEditor
            // A new mount becomes the edited one, so its links can be set right away.
            key={editing === 'new' ? 'new' : editing.id}
            mount={editing === 'new' ? null : (attrs(list.data).find((m) => m.id === editing.id) ?? editing)}
            onCreated={(m) => setEditing(m)}
            onClose={() => setEditing(null)}
            refresh={refresh}
          />
        </Modal>
      )}
    </>
  );
}

function MountEditor({ mount, onCreated, onClose, refresh }: { mount: Mount | null; onCreated: (m: Mount) => void; onClose: () => void; refresh: () => Promise<void> }) {
  return (
    <Stack>
      <FieldsForm
        columns={2}
        fields={[
          { name: 'name', label: s.name, required: true, validate: (v) => nameError(String(v ?? '')) },
          { name: 'description', label: s.description, validate: (v) => (String(v ?? '').trim().length > 191 ? strings.validation.maxString(s.description.toLowerCase(), 191) : null) },
          { name: 'source', label: s.source, required: true, validate: (v) => pathError('source', String(v ?? '')) },
          { name: 'target', label: s.target, required: true, validate: (v) => pathError('target', String(v ?? '')) },
          { name: 'read_only', label: s.readOnly, type: 'switch' },
          { name: 'user_mountable', label: s.userMountable, type: 'switch' },
        ]}
        initial={initialValues(mount)}
        submitLabel={mount === null ? strings.common.create : strings.common.save}
        onCancel={onClose}
        onSubmit={async (v) => {
          const body = mountBody(v);
          if (mount === null) {
            const created = await api.post<Item<Mount>>(`${APP}/mounts`, body);
            notifications.show({ color: 'green', message: s.created(created.attributes.name) });
            await refresh();
            onCreated(created.attributes);
          } else {
            await api.patch(`${APP}/mounts/${mount.id}`, body);
            notifications.show({ color: 'green', message: s.saved });
            await refresh();
            onClose();
          }
        }}
      />
      {mount !== null && (
        <>
          <Divider label={s.links} labelPosition="left" />
          <LinksEditor mount={mount} refresh={refresh} />
        </>
      )}
    </Stack>
  );
}

/** Multi-selects for the eggs and nodes a mount is linked to, saved as one change. */
function LinksEditor({ mount, refresh }: { mount: Mount; refresh: () => Promise<void> }) {
  const nests = attrs(useAppList<Nest>('/nests', { include: 'eggs' }).data);
  const nodes = attrs(useAppList<Node>('/nodes').data);
  const current = mountLinks(mount);
  const [eggs, setEggs] = useState<string[]>(current.eggs.map(String));
  const [nodeIds, setNodeIds] = useState<string[]>(current.nodes.map(String));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const eggGroups = nests.map((n) => ({
    group: n.name,
    items: (n.relationships?.eggs && 'data' in n.relationships.eggs ? n.relationships.eggs.data : []).map((e) => ({ value: String(e.attributes.id), label: e.attributes.name })),
  }));
  async function save() {
    setBusy(true);
    setError(null);
    try {
      const base = `${APP}/mounts/${mount.id}`;
      for (const [kind, have, want] of [
        ['eggs', current.eggs, eggs.map(Number)],
        ['nodes', current.nodes, nodeIds.map(Number)],
      ] as const) {
        const { add, remove } = linkChanges(have, want);
        if (add.length > 0) await api.post(`${base}/${kind}`, { [kind]: add });
        for (const id of remove) await api.delete(`${base}/${kind}/${id}`);
      }
      notifications.show({ color: 'green', message: s.linksSaved });
    } catch (e) {
      setError(e);
    } finally {
      await refresh();
      setBusy(false);
    }
  }
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {s.linksHelp}
      </Text>
      <FormError error={error} />
      <MultiSelect label={s.eggs} searchable clearable data={eggGroups} value={eggs} onChange={setEggs} />
      <MultiSelect label={s.nodes} searchable clearable data={nodes.map((n) => ({ value: String(n.id), label: n.name }))} value={nodeIds} onChange={setNodeIds} />
      <Group justify="flex-end">
        <Button loading={busy} onClick={() => void save()}>
          {s.saveLinks}
        </Button>
      </Group>
    </Stack>
  );
}
