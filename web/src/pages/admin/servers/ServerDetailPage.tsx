import { useState } from 'react';
import { Button, Card, Checkbox, Group, MultiSelect, Select, SimpleGrid, Stack, Switch, Tabs, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/client';
import { api, invalidate, useGet } from '../../../api/query';
import type { AdminServer, Allocation, Item, List, ServerBuildBody, ServerDetailsBody, ServerStartupBody, ServerVariable, User } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { StatusBadge } from '../../../components/StatusBadge';
import { Link, navigate, useParam, useSearchParams } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { checkEnvironment, EnvironmentFields } from './EnvironmentFields';
import { checkLimits, LimitsFields, limitsBody, type Limits } from './LimitsFields';
import { adminState } from './ServersPage';
import { ServerMountsCard } from './ServerMountsCard';
import { TransferCard } from './TransferCard';

const s = strings.admin.servers;

type Full = Omit<AdminServer, 'relationships'> & { relationships?: { allocations?: List<Allocation>; variables?: List<ServerVariable> } };

/** `/admin/servers/:server?tab=`: details, build, startup, manage. */
export default function ServerDetailPage() {
  const id = useParam('server');
  const tab = useSearchParams().get('tab') ?? 'about';
  const path = `${APP}/servers/${id}`;
  const q = useGet<Item<Full>>(`${path}?include=allocations,variables`, { refetchInterval: (x) => (x.state.data?.attributes.status === 'installing' ? 3000 : false) });
  return (
    <QueryState query={q}>
      {({ attributes: sv }) => (
        <>
          <PageHeader
            title={sv.name}
            description={<span className="aerie-mono">{sv.uuid}</span>}
            actions={
              <>
                <StatusBadge state={adminState(sv)} />
                <Button component={Link} to={`/server/${sv.identifier}`} variant="light">
                  {s.openInPortal}
                </Button>
              </>
            }
          />
          <Tabs value={tab} onChange={(t) => navigate(`/admin/servers/${id}?tab=${t ?? 'about'}`, { replace: true })} keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="about">{s.tabs.about}</Tabs.Tab>
              <Tabs.Tab value="build">{s.tabs.build}</Tabs.Tab>
              <Tabs.Tab value="startup">{s.tabs.startup}</Tabs.Tab>
              <Tabs.Tab value="manage">{s.tabs.manage}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="about">
              <DetailsTab server={sv} path={path} />
              <ServerMountsCard server={sv} />
            </Tabs.Panel>
            <Tabs.Panel value="build">
              <BuildTab server={sv} path={path} />
            </Tabs.Panel>
            <Tabs.Panel value="startup">
              <StartupTab server={sv} path={path} />
            </Tabs.Panel>
            <Tabs.Panel value="manage">
              <ManageTab server={sv} path={path} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </QueryState>
  );
}

function useSave(path: string) {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function run(fn: () => Promise<unknown>, message: string = strings.common.saved) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      notifications.show({ color: 'green', message });
      await invalidate(client, [path, `${APP}/servers?`]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, run };
}

function DetailsTab({ server, path }: { server: Full; path: string }) {
  const users = attrs(useAppList<User>('/users').data);
  const [name, setName] = useState(server.name);
  const [description, setDescription] = useState(server.description);
  const [owner, setOwner] = useState<string | null>(String(server.user));
  const [externalId, setExternalId] = useState(server.external_id ?? '');
  const save = useSave(path);
  return (
    <Card withBorder padding="md" radius="md">
      <Stack>
        <FormError error={save.error} />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label={strings.common.name} value={name} onChange={(e) => setName(e.currentTarget.value)} error={name.trim() ? null : strings.validation.required(strings.common.name.toLowerCase())} />
          <Select label={s.owner} searchable value={owner} data={users.map((u) => ({ value: String(u.id), label: `${u.username} (${u.email})` }))} onChange={setOwner} />
          <TextInput label={s.externalId} value={externalId} onChange={(e) => setExternalId(e.currentTarget.value)} />
          <Textarea label={strings.common.description} value={description} autosize onChange={(e) => setDescription(e.currentTarget.value)} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button loading={save.busy} disabled={!name.trim()} onClick={() => void save.run(() => api.patch(`${path}/details`, { name: name.trim(), description, user: Number(owner), external_id: externalId || null } satisfies ServerDetailsBody))}>
            {strings.common.save}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function BuildTab({ server, path }: { server: Full; path: string }) {
  const [limits, setLimits] = useState<Limits>({
    memory: server.limits.memory,
    swap: server.limits.swap,
    disk: server.limits.disk,
    io: server.limits.io,
    cpu: server.limits.cpu,
    threads: server.limits.threads ?? '',
    oom_disabled: server.limits.oom_disabled,
    databases: server.feature_limits.databases ?? 0,
    allocations: server.feature_limits.allocations ?? 0,
    backups: server.feature_limits.backups ?? 0,
  });
  const own = attrs(server.relationships?.allocations);
  const [primary, setPrimary] = useState<string | null>(String(server.allocation));
  const [remove, setRemove] = useState<string[]>([]);
  const [add, setAdd] = useState<string[]>([]);
  const free = attrs(useGet<List<Allocation>>(`${APP}/nodes/${server.node}/allocations?per_page=100&filter[server_id]=`).data).filter((a) => !a.assigned);
  const [errors, setErrors] = useState<Partial<Record<keyof Limits, string>>>({});
  const save = useSave(path);
  const label = (a: Allocation) => `${a.alias ?? a.ip}:${a.port}`;
  function submit() {
    const e = checkLimits(limits);
    setErrors(e);
    if (Object.keys(e).length) return;
    void save.run(() =>
      api.patch(`${path}/build`, { allocation: Number(primary), ...limitsBody(limits), add_allocations: add.map(Number), remove_allocations: remove.map(Number) } satisfies ServerBuildBody).then(() => {
        setAdd([]);
        setRemove([]);
      }),
    );
  }
  return (
    <Card withBorder padding="md" radius="md">
      <Stack>
        <FormError error={save.error} />
        <LimitsFields value={limits} errors={errors} onChange={setLimits} />
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
          <Select label={s.primaryAllocation} value={primary} data={own.map((a) => ({ value: String(a.id), label: label(a) }))} onChange={setPrimary} allowDeselect={false} />
          <MultiSelect label={s.addAllocations} searchable value={add} data={free.map((a) => ({ value: String(a.id), label: label(a) }))} onChange={setAdd} />
          <MultiSelect label={s.removeAllocations} value={remove} data={own.filter((a) => a.id !== server.allocation).map((a) => ({ value: String(a.id), label: label(a) }))} onChange={setRemove} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button loading={save.busy} onClick={submit}>
            {strings.common.save}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function StartupTab({ server, path }: { server: Full; path: string }) {
  const vars = attrs(server.relationships?.variables);
  const [startup, setStartup] = useState(server.container.startup_command);
  const [image, setImage] = useState(server.container.image);
  const [skip, setSkip] = useState(false);
  const [env, setEnv] = useState<Record<string, string>>(Object.fromEntries(vars.map((v) => [v.env_variable, v.server_value ?? v.default_value ?? ''])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useSave(path);
  function submit() {
    const e = checkEnvironment(vars, env);
    setErrors(e);
    if (Object.keys(e).length) return;
    void save.run(() => api.patch(`${path}/startup`, { startup, image, egg: server.egg, environment: env, skip_scripts: skip } satisfies ServerStartupBody));
  }
  return (
    <Card withBorder padding="md" radius="md">
      <Stack>
        <FormError error={save.error} />
        <Textarea label={s.startup} value={startup} autosize classNames={{ input: 'aerie-mono' }} onChange={(e) => setStartup(e.currentTarget.value)} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={s.image} value={image} classNames={{ input: 'aerie-mono' }} onChange={(e) => setImage(e.currentTarget.value)} />
          <Switch label={s.skipScripts} checked={skip} onChange={(e) => setSkip(e.currentTarget.checked)} mt="lg" />
        </SimpleGrid>
        <Text fw={600} size="sm">
          {s.environment}
        </Text>
        <EnvironmentFields vars={vars} env={env} errors={errors} onChange={setEnv} />
        <Group justify="flex-end">
          <Button loading={save.busy} onClick={submit}>
            {strings.common.save}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ManageTab({ server, path }: { server: Full; path: string }) {
  const save = useSave(path);
  const client = useQueryClient();
  const [force, setForce] = useState(false);
  return (
    <Stack>
      <FormError error={save.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder padding="md" radius="md">
          <Text fw={600} mb="xs">
            {server.suspended ? s.unsuspend : s.suspend}
          </Text>
          <Group justify="flex-end">
            {server.suspended ? (
              <Button onClick={() => void save.run(() => api.post(`${path}/unsuspend`), s.unsuspended)} loading={save.busy}>
                {s.unsuspend}
              </Button>
            ) : (
              <ConfirmButton color="orange" title={s.suspend} message={`${s.suspend}: ${server.name}?`} confirmLabel={s.suspend} onConfirm={() => save.run(() => api.post(`${path}/suspend`), s.suspended)}>
                {s.suspend}
              </ConfirmButton>
            )}
          </Group>
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text fw={600} mb="xs">
            {s.reinstall}
          </Text>
          <Text size="sm" c="dimmed" mb="xs">
            {strings.settings.reinstallHelp}
          </Text>
          <Group justify="flex-end">
            <ConfirmButton title={s.reinstall} message={strings.settings.reinstallConfirm} confirmLabel={s.reinstall} onConfirm={() => save.run(() => api.post(`${path}/reinstall`), s.reinstalling)}>
              {s.reinstall}
            </ConfirmButton>
          </Group>
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text fw={600} mb="xs">
            {s.transfer}
          </Text>
          <TransferCard server={server} />
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text fw={600} mb="xs">
            {s.delete}
          </Text>
          <Checkbox label={s.forceDelete} checked={force} onChange={(e) => setForce(e.currentTarget.checked)} mb="sm" />
          <Group justify="flex-end">
            <ConfirmButton
              title={s.delete}
              message={strings.common.confirmDelete(server.name)}
              confirmLabel={s.delete}
              onConfirm={async () => {
                await api.delete(force ? `${path}/force` : path).catch((e: unknown) => {
                  notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
                  throw e;
                });
                notifications.show({ color: 'green', message: s.deleted });
                await invalidate(client, [`${APP}/servers`]);
                navigate('/admin/servers');
              }}
            >
              {s.delete}
            </ConfirmButton>
          </Group>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
