import { useState, type FormEvent } from 'react';
import { Alert, Button, Code, Modal, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Group } from '@mantine/core';
import { ApiError, request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { ApplicationApiKey, ApplicationApiKeyCreated, List } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyField } from '../../../components/CopyField';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { formatDate } from '../../../lib/format';
import { strings } from '../../../strings';
import { APP } from '../appApi';
import { LEVELS, RESOURCES, createKeyBody, noPermissions, serverFieldOf, summarize, validateKeyForm, type KeyFormErrors, type KeyFormValues, type Resource } from './keyForm';

const s = strings.admin.apiKeys;
const PATH = `${APP}/api-keys`;

/** `/admin/api`: the signed-in administrator's application keys. */
export default function ApiKeysPage() {
  const keys = useGet<List<ApplicationApiKey>>(PATH);
  const [creating, setCreating] = useState(false);
  // The new key's token, shown until dismissed or until that key is deleted.
  const [created, setCreated] = useState<{ identifier: string; token: string } | null>(null);
  const token = created?.token ?? null;
  return (
    <>
      <PageHeader title={s.title} actions={<Button onClick={() => setCreating(true)}>{s.create}</Button>} />
      <Text size="sm" c="dimmed" mb="md">
        {s.intro}
      </Text>
      {token && (
        <Alert color="yellow" variant="light" mb="md" title={s.tokenTitle} withCloseButton onClose={() => setCreated(null)}>
          <Stack gap="xs">
            <Text size="sm">{s.tokenWarning}</Text>
            <CopyField label={s.token} value={token} />
          </Stack>
        </Alert>
      )}
      <QueryState query={keys}>
        {(data) =>
          data.data.length === 0 ? (
            <Text c="dimmed">{strings.common.empty}</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing={6} highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{s.key}</Table.Th>
                    <Table.Th>{s.memo}</Table.Th>
                    <Table.Th>{s.access}</Table.Th>
                    <Table.Th>{s.allowedIps}</Table.Th>
                    <Table.Th>{s.lastUsed}</Table.Th>
                    <Table.Th>{strings.common.created}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.data.map(({ attributes: k }) => (
                    <KeyRow key={k.identifier} k={k} onDeleted={() => setCreated((c) => (c?.identifier === k.identifier ? null : c))} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title={s.create} size="lg" centered>
        {creating && (
          <CreateKeyForm
            onCancel={() => setCreating(false)}
            onCreated={(identifier, t) => {
              setCreated({ identifier, token: t });
              setCreating(false);
            }}
          />
        )}
      </Modal>
    </>
  );
}

function KeyRow({ k, onDeleted }: { k: ApplicationApiKey; onDeleted: () => void }) {
  const remove = useAction(() => request('DELETE', `${PATH}/${k.identifier}`), { invalidate: [PATH], toastErrors: false, onSuccess: onDeleted });
  return (
    <Table.Tr>
      <Table.Td>
        <Code>{k.identifier}</Code>
      </Table.Td>
      <Table.Td>{k.memo ?? '—'}</Table.Td>
      <Table.Td>
        <Text size="xs">{summarize(k)}</Text>
      </Table.Td>
      <Table.Td className="aerie-mono">{k.allowed_ips.length ? k.allowed_ips.join(', ') : s.anyIp}</Table.Td>
      <Table.Td>{k.last_used_at ? formatDate(k.last_used_at) : s.never}</Table.Td>
      <Table.Td>{formatDate(k.created_at)}</Table.Td>
      <Table.Td w={90}>
        <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={s.confirmDelete(k.memo ? `${k.identifier} (${k.memo})` : k.identifier)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
          {strings.common.delete}
        </ConfirmButton>
      </Table.Td>
    </Table.Tr>
  );
}

function CreateKeyForm({ onCreated, onCancel }: { onCreated: (identifier: string, token: string) => void; onCancel: () => void }) {
  const [values, setValues] = useState<KeyFormValues>({ memo: '', allowedIps: '', permissions: noPermissions() });
  const [errors, setErrors] = useState<KeyFormErrors & Partial<Record<Resource, string>>>({});
  const create = useAction(() => request<ApplicationApiKeyCreated>('POST', PATH, { body: createKeyBody(values) }), {
    invalidate: [PATH],
    toastErrors: false,
    onSuccess: (r) => onCreated(r.attributes.identifier, r.meta.token),
  });
  // A 422 goes under its field; anything else above the form.
  const field = create.error instanceof ApiError ? serverFieldOf(create.error.field) : undefined;
  const serverError = (name: string) => (field === name && create.error instanceof ApiError ? create.error.detail : undefined);
  function submit(e: FormEvent) {
    e.preventDefault();
    const next = validateKeyForm(values);
    setErrors(next);
    if (Object.keys(next).length === 0) create.mutate();
  }
  const setPermission = (r: Resource, bits: number) => setValues((v) => ({ ...v, permissions: { ...v.permissions, [r]: bits } }));
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {field === undefined && <FormError error={create.error} />}
        <TextInput
          label={s.memo}
          description={s.memoHint}
          required
          maxLength={500}
          value={values.memo}
          error={errors.memo ?? serverError('memo')}
          onChange={(e) => {
            const memo = e.currentTarget.value;
            setValues((v) => ({ ...v, memo }));
          }}
        />
        <Textarea
          label={s.allowedIps}
          description={s.allowedIpsHint}
          rows={3}
          classNames={{ input: 'aerie-mono' }}
          value={values.allowedIps}
          error={errors.allowedIps ?? serverError('allowedIps')}
          onChange={(e) => {
            const allowedIps = e.currentTarget.value;
            setValues((v) => ({ ...v, allowedIps }));
          }}
        />
        <div>
          <Text size="sm" fw={500}>
            {s.permissions}
          </Text>
          <Text size="xs" c="dimmed" mb="xs">
            {s.permissionsHint}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            {RESOURCES.map((r) => (
              <Select
                key={r}
                label={s.resources[r]}
                data={LEVELS.map((l) => ({ value: l.value, label: l.label }))}
                value={String(values.permissions[r])}
                allowDeselect={false}
                error={serverError(r)}
                onChange={(x) => setPermission(r, LEVELS.find((l) => l.value === x)?.bits ?? 0)}
              />
            ))}
          </SimpleGrid>
        </div>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {strings.common.cancel}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {strings.common.create}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
