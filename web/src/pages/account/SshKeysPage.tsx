import { useState, type FormEvent } from 'react';
import { Button, Card, Code, Group, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { request } from '../../api/client';
import { useAction, useGet } from '../../api/query';
import type { CreateSshKeyBody, List, RemoveSshKeyBody, SshKey } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { PageHeader } from '../../components/PageHeader';
import { FormError, QueryState } from '../../components/QueryState';
import { formatDate } from '../../lib/format';
import { required } from '../../lib/validation';
import { strings } from '../../strings';

const PATH = '/api/client/account/ssh-keys';

/** `/account/ssh`: public keys for SFTP. */
export default function SshKeysPage() {
  const keys = useGet<List<SshKey>>(PATH);
  return (
    <>
      <PageHeader title={strings.account.sshKeys} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <AddKeyCard />
        <Card withBorder padding="md" radius="md">
          <QueryState query={keys}>
            {(data) =>
              data.data.length === 0 ? (
                <Text c="dimmed">{strings.common.empty}</Text>
              ) : (
                <Stack gap="sm">
                  {data.data.map(({ attributes: k }) => (
                    <KeyRow key={k.fingerprint} k={k} />
                  ))}
                </Stack>
              )
            }
          </QueryState>
        </Card>
      </SimpleGrid>
    </>
  );
}

function KeyRow({ k }: { k: SshKey }) {
  const remove = useAction(() => request('POST', `${PATH}/remove`, { body: { fingerprint: k.fingerprint } satisfies RemoveSshKeyBody }), { invalidate: [PATH] });
  return (
    <Group justify="space-between" wrap="nowrap">
      <div style={{ minWidth: 0 }}>
        <Text fw={600} size="sm">
          {k.name}
        </Text>
        <Code>{k.fingerprint}</Code>
        <Text size="xs" c="dimmed">
          {formatDate(k.created_at)}
        </Text>
      </div>
      <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(k.name)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
        {strings.common.delete}
      </ConfirmButton>
    </Group>
  );
}

function AddKeyCard() {
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [errors, setErrors] = useState<{ name?: string | null; key?: string | null }>({});
  const add = useAction(() => request('POST', PATH, { body: { name: name.trim(), public_key: key.trim() } satisfies CreateSshKeyBody }), {
    invalidate: [PATH],
    toastErrors: false,
    onSuccess: () => {
      setName('');
      setKey('');
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const next = { name: required(name, strings.account.sshName.toLowerCase()), key: required(key, strings.account.sshPublicKey.toLowerCase()) };
    setErrors(next);
    if (!next.name && !next.key) add.mutate();
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h5" mb="sm">
        {strings.account.addSshKey}
      </Title>
      <Stack gap="sm">
        <FormError error={add.error} />
        <TextInput label={strings.account.sshName} value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
        <Textarea label={strings.account.sshPublicKey} value={key} error={errors.key} autosize minRows={3} classNames={{ input: 'aerie-mono' }} onChange={(e) => setKey(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={add.isPending}>
            {strings.account.addSshKey}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
