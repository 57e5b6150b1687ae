import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { request } from '../../api/client';
import { useAction, useGet } from '../../api/query';
import type { ApiKey, CreateApiKeyBody, Item, List } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField } from '../../components/CopyField';
import { PageHeader } from '../../components/PageHeader';
import { FormError, QueryState } from '../../components/QueryState';
import { formatDate } from '../../lib/format';
import { strings } from '../../strings';

const PATH = '/api/client/account/api-keys';

/** `/account/api`: client API keys. */
export default function ApiKeysPage() {
  const keys = useGet<List<ApiKey>>(PATH);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={strings.account.apiKeys} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <CreateKeyCard onCreated={setCreated} />
        <Card withBorder padding="md" radius="md">
          {created && (
            <Alert color="green" variant="light" mb="sm" title={strings.account.keyCreated}>
              <CopyField label={strings.account.identifier} value={created} />
            </Alert>
          )}
          <QueryState query={keys}>
            {(data) =>
              data.data.length === 0 ? (
                <Text c="dimmed">{strings.common.empty}</Text>
              ) : (
                <Table.ScrollContainer minWidth={360}>
                  <Table verticalSpacing={6}>
                    <Table.Tbody>
                      {data.data.map(({ attributes: k }) => (
                        <KeyRow key={k.identifier} k={k} />
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )
            }
          </QueryState>
        </Card>
      </SimpleGrid>
    </>
  );
}

function KeyRow({ k }: { k: ApiKey }) {
  const remove = useAction(() => request('DELETE', `${PATH}/${k.identifier}`), { invalidate: [PATH] });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={600}>
          {k.description || '—'}
        </Text>
        <Code>{k.identifier}</Code>
        <Text size="xs" c="dimmed">
          {strings.account.lastUsed}: {k.last_used_at ? formatDate(k.last_used_at) : strings.account.never}
        </Text>
      </Table.Td>
      <Table.Td w={90}>
        <ConfirmButton size="xs" variant="light" title={strings.common.delete} message={strings.common.confirmDelete(k.identifier)} confirmLabel={strings.common.delete} onConfirm={() => remove.mutateAsync()}>
          {strings.common.delete}
        </ConfirmButton>
      </Table.Td>
    </Table.Tr>
  );
}

function CreateKeyCard({ onCreated }: { onCreated: (token: string) => void }) {
  const [description, setDescription] = useState('');
  const [ips, setIps] = useState('');
  const create = useAction(
    () =>
      request<Item<ApiKey> & { meta: { secret_token: string } }>('POST', PATH, {
        body: { description, allowed_ips: ips.split(/\s+/).filter(Boolean) } satisfies CreateApiKeyBody,
      }),
    {
      invalidate: [PATH],
      toastErrors: false,
      onSuccess: (r) => {
        // Pterodactyl returns only the secret; the full key is identifier + secret.
        const secret = r.meta.secret_token;
        onCreated(secret.startsWith(r.attributes.identifier) ? secret : r.attributes.identifier + secret);
        setDescription('');
        setIps('');
      },
    },
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h5" mb="sm">
        {strings.account.createKey}
      </Title>
      <Stack gap="sm">
        <FormError error={create.error} />
        <TextInput label={strings.account.apiKeyDescription} value={description} maxLength={500} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Textarea label={strings.account.allowedIps} value={ips} autosize minRows={2} classNames={{ input: 'aerie-mono' }} onChange={(e) => setIps(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            {strings.common.create}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
