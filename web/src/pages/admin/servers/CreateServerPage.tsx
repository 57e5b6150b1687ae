import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Code, Group, MultiSelect, Select, SimpleGrid, Stack, Stepper, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, invalidate, useGet } from '../../../api/query';
import type { AdminServer, Allocation, Egg, EggVariable, Item, List, Nest, Node, User } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { FormError } from '../../../components/QueryState';
import { navigate } from '../../../router';
import { strings } from '../../../strings';
import { APP, attrs, useAppList } from '../appApi';
import { checkEnvironment, EnvironmentFields } from './EnvironmentFields';
import { checkLimits, defaultLimits, LimitsFields, limitsBody, type Limits } from './LimitsFields';

const s = strings.admin.servers;
const w = s.wizard;

type EggWithVars = Egg & { relationships?: { variables?: List<EggVariable> } };

/** `/admin/servers/new`: the deploy wizard (details → node & ports → game → limits → review). */
export default function CreateServerPage() {
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState<string | null>(null);
  const [nodeId, setNodeId] = useState<string | null>(null);
  const [primary, setPrimary] = useState<string | null>(null);
  const [additional, setAdditional] = useState<string[]>([]);
  const [nestId, setNestId] = useState<string | null>(null);
  const [eggId, setEggId] = useState<string | null>(null);
  const [image, setImage] = useState<string | null>(null);
  const [startup, setStartup] = useState('');
  const [env, setEnv] = useState<Record<string, string>>({});
  const [limits, setLimits] = useState<Limits>(defaultLimits);
  const [skipScripts, setSkipScripts] = useState(false);
  const [startOnCompletion, setStartOnCompletion] = useState(true);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const client = useQueryClient();

  const users = attrs(useAppList<User>('/users').data);
  const nodes = attrs(useAppList<Node>('/nodes').data);
  const nests = attrs(useAppList<Nest>('/nests').data);
  const free = useGet<List<Allocation>>(nodeId ? `${APP}/nodes/${nodeId}/allocations?per_page=100&filter[server_id]=` : null);
  const freeAllocs = attrs(free.data).filter((a) => !a.assigned);
  const eggs = useGet<List<EggWithVars>>(nestId ? `${APP}/nests/${nestId}/eggs?include=variables` : null);
  const egg = attrs(eggs.data).find((e) => String(e.id) === eggId);
  const vars = useMemo(() => egg?.relationships?.variables?.data.map((v) => v.attributes) ?? [], [egg]);

  // Choosing an egg fills its image, startup command and variable defaults.
  useEffect(() => {
    if (!egg) return;
    setImage(Object.values(egg.docker_images)[0] ? String(Object.values(egg.docker_images)[0]) : (egg.docker_image ?? null));
    setStartup(egg.startup ?? '');
    setEnv(Object.fromEntries(vars.map((v) => [v.env_variable, v.default_value ?? ''])));
  }, [egg, vars]);

  function validate(i: number): boolean {
    const e: Record<string, string | null> = {};
    const req = (v: unknown, label: string) => (v === null || v === '' ? strings.validation.required(label.toLowerCase()) : null);
    if (i === 0) {
      e.name = req(name.trim(), strings.common.name);
      e.owner = req(owner, s.owner);
    } else if (i === 1) {
      e.node = req(nodeId, s.node);
      e.primary = req(primary, s.primaryAllocation);
    } else if (i === 2) {
      e.egg = req(eggId, s.egg);
      e.image = req(image, s.image);
      e.startup = req(startup.trim(), s.startup);
      Object.assign(e, checkEnvironment(vars, env));
    } else if (i === 3) {
      Object.assign(e, checkLimits(limits));
    }
    setErrors(e);
    return Object.values(e).every((x) => !x);
  }

  async function create() {
    setBusy(true);
    setSubmitError(null);
    try {
      const created = await api.post<Item<AdminServer>>(`${APP}/servers`, {
        name: name.trim(),
        description,
        user: Number(owner),
        egg: Number(eggId),
        docker_image: image,
        startup,
        environment: env,
        ...limitsBody(limits),
        allocation: { default: Number(primary), additional: additional.map(Number) },
        skip_scripts: skipScripts,
        start_on_completion: startOnCompletion,
      });
      await invalidate(client, [`${APP}/servers`, `${APP}/nodes`]);
      notifications.show({ color: 'green', message: w.created(created.attributes.name) });
      navigate(`/admin/servers/${created.attributes.id}`);
    } catch (e) {
      setSubmitError(e);
    } finally {
      setBusy(false);
    }
  }

  const next = () => validate(step) && setStep((x) => x + 1);
  const alloc = (id: string | null) => freeAllocs.find((a) => String(a.id) === id);
  return (
    <>
      <PageHeader title={s.create} />
      <Stepper active={step} onStepClick={(i) => i < step && setStep(i)} size="sm" mb="md">
        <Stepper.Step label={w.details}>
          <Card withBorder padding="md" radius="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput label={strings.common.name} required value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
              <Select label={s.owner} required searchable value={owner} error={errors.owner} data={users.map((u) => ({ value: String(u.id), label: `${u.username} (${u.email})` }))} onChange={setOwner} />
              <Textarea label={strings.common.description} value={description} autosize style={{ gridColumn: '1 / -1' }} onChange={(e) => setDescription(e.currentTarget.value)} />
            </SimpleGrid>
          </Card>
        </Stepper.Step>
        <Stepper.Step label={w.deploy}>
          <Card withBorder padding="md" radius="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select label={s.node} required value={nodeId} error={errors.node} data={nodes.map((n) => ({ value: String(n.id), label: n.name }))} onChange={(v) => { setNodeId(v); setPrimary(null); setAdditional([]); }} />
              <Select
                label={s.primaryAllocation}
                required
                searchable
                value={primary}
                error={errors.primary}
                disabled={!nodeId}
                data={freeAllocs.map((a) => ({ value: String(a.id), label: `${a.alias ?? a.ip}:${a.port}` }))}
                onChange={(v) => { setPrimary(v); setAdditional((x) => x.filter((y) => y !== v)); }}
              />
              <MultiSelect
                label={s.additionalAllocations}
                searchable
                disabled={!nodeId}
                value={additional}
                data={freeAllocs.filter((a) => String(a.id) !== primary).map((a) => ({ value: String(a.id), label: `${a.alias ?? a.ip}:${a.port}` }))}
                onChange={setAdditional}
                style={{ gridColumn: '1 / -1' }}
              />
            </SimpleGrid>
            {nodeId && free.data && freeAllocs.length === 0 && (
              <Alert color="yellow" mt="sm">
                {w.noFree}
              </Alert>
            )}
          </Card>
        </Stepper.Step>
        <Stepper.Step label={w.egg}>
          <Card withBorder padding="md" radius="md">
            <Stack>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <Select label={strings.nav.nests} value={nestId} data={nests.map((n) => ({ value: String(n.id), label: n.name }))} onChange={(v) => { setNestId(v); setEggId(null); }} />
                <Select label={s.egg} required value={eggId} error={errors.egg} disabled={!nestId} data={attrs(eggs.data).map((e) => ({ value: String(e.id), label: e.name }))} onChange={setEggId} />
                <Select
                  label={s.image}
                  required
                  value={image}
                  error={errors.image}
                  disabled={!egg}
                  data={egg ? Object.entries(egg.docker_images).map(([label, v]) => ({ value: String(v), label: `${label} (${String(v)})` })) : []}
                  onChange={setImage}
                />
                <Switch label={s.skipScripts} checked={skipScripts} onChange={(e) => setSkipScripts(e.currentTarget.checked)} mt="lg" />
              </SimpleGrid>
              <Textarea label={s.startup} required value={startup} error={errors.startup} autosize classNames={{ input: 'aerie-mono' }} onChange={(e) => setStartup(e.currentTarget.value)} />
              {vars.length > 0 && (
                <>
                  <Text fw={600} size="sm">
                    {s.environment}
                  </Text>
                  <EnvironmentFields vars={vars} env={env} errors={Object.fromEntries(Object.entries(errors).filter(([, v]) => v)) as Record<string, string>} onChange={setEnv} />
                </>
              )}
            </Stack>
          </Card>
        </Stepper.Step>
        <Stepper.Step label={w.limits}>
          <Card withBorder padding="md" radius="md">
            <LimitsFields value={limits} errors={errors as Partial<Record<keyof Limits, string>>} onChange={setLimits} />
          </Card>
        </Stepper.Step>
        <Stepper.Step label={w.review}>
          <Card withBorder padding="md" radius="md">
            <Stack gap={4}>
              <Text size="sm">{strings.common.name}: <b>{name}</b></Text>
              <Text size="sm">{s.owner}: {users.find((u) => String(u.id) === owner)?.username}</Text>
              <Text size="sm">{s.node}: {nodes.find((n) => String(n.id) === nodeId)?.name}</Text>
              <Text size="sm">{s.primaryAllocation}: {alloc(primary) ? `${alloc(primary)?.ip}:${alloc(primary)?.port}` : ''}</Text>
              <Text size="sm">{s.egg}: {egg?.name} · <Code>{image}</Code></Text>
              <Text size="sm">{s.memory}: {limits.memory} · {s.disk}: {limits.disk} · {s.cpu}: {limits.cpu}</Text>
              <Switch label={s.startOnCompletion} checked={startOnCompletion} onChange={(e) => setStartOnCompletion(e.currentTarget.checked)} mt="sm" />
              <FormError error={submitError} />
            </Stack>
          </Card>
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between">
        <Button variant="default" disabled={step === 0} onClick={() => setStep((x) => x - 1)}>
          {strings.common.back}
        </Button>
        {step < 4 ? (
          <Button onClick={next}>{strings.common.next}</Button>
        ) : (
          <Button onClick={() => void create()} loading={busy}>
            {strings.common.create}
          </Button>
        )}
      </Group>
    </>
  );
}
