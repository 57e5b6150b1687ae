import { useEffect, useState, type FormEvent } from 'react';
import { Button, Card, Group, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useSession } from '../../../api/auth';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyField } from '../../../components/CopyField';
import { PageHeader } from '../../../components/PageHeader';
import { FormError } from '../../../components/QueryState';
import { required } from '../../../lib/validation';
import { strings } from '../../../strings';
import { useServer } from '../ServerContext';

/** `/server/:id/settings`: SFTP details, rename, reinstall, debug information. */
export default function SettingsPage() {
  const { base, can, server } = useServer();
  const username = useSession().data?.username ?? '';
  const sftpAddress = `sftp://${server.sftp_details.ip}:${server.sftp_details.port}`;
  const sftpUser = `${username}.${server.identifier}`;
  return (
    <>
      <PageHeader title={strings.settings.title} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Stack>
          <Card withBorder padding="md" radius="md">
            <Title order={3} size="h5" mb="sm">
              {strings.settings.sftp}
            </Title>
            <Stack gap="sm">
              <CopyField label={strings.settings.sftpAddress} value={sftpAddress} />
              <CopyField label={strings.settings.sftpUsername} value={sftpUser} />
              <Group justify="space-between">
                <Text size="xs" c="dimmed">
                  {strings.settings.sftpHelp}
                </Text>
                <Button component="a" href={`sftp://${encodeURIComponent(sftpUser)}@${server.sftp_details.ip}:${server.sftp_details.port}`} variant="light" size="xs">
                  {strings.settings.launchSftp}
                </Button>
              </Group>
            </Stack>
          </Card>
          <Card withBorder padding="md" radius="md">
            <Title order={3} size="h5" mb="sm">
              {strings.settings.debug}
            </Title>
            <Stack gap={4}>
              <Text size="sm">
                {strings.settings.node}: <b>{server.node}</b>
              </Text>
              <Text size="sm">
                {strings.settings.serverId}: <span className="aerie-mono">{server.uuid}</span>
              </Text>
            </Stack>
          </Card>
        </Stack>
        <Stack>
          {can('settings.rename') && <RenameCard base={base} name={server.name} description={server.description} />}
          {can('settings.reinstall') && <ReinstallCard base={base} />}
        </Stack>
      </SimpleGrid>
    </>
  );
}

function RenameCard({ base, name, description }: { base: string; name: string; description: string }) {
  const [n, setN] = useState(name);
  const [d, setD] = useState(description);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    setN(name);
    setD(description);
  }, [name, description]);
  const rename = useAction(() => request('POST', `${base}/settings/rename`, { body: { name: n.trim(), description: d } }), {
    invalidate: [base, '/api/client?'],
    success: strings.common.saved,
    toastErrors: false,
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const bad = required(n, strings.settings.nameLabel.toLowerCase());
    setErr(bad);
    if (!bad) rename.mutate();
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h5" mb="sm">
        {strings.settings.rename}
      </Title>
      <Stack gap="sm">
        <FormError error={rename.error} />
        <TextInput label={strings.settings.nameLabel} value={n} error={err} maxLength={191} onChange={(e) => setN(e.currentTarget.value)} />
        <Textarea label={strings.settings.descriptionLabel} value={d} autosize minRows={2} onChange={(e) => setD(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={rename.isPending}>
            {strings.common.save}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ReinstallCard({ base }: { base: string }) {
  const reinstall = useAction(() => request('POST', `${base}/settings/reinstall`), { invalidate: [base], success: strings.settings.reinstalled });
  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5" mb="sm">
        {strings.settings.reinstall}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {strings.settings.reinstallHelp}
      </Text>
      <Group justify="flex-end">
        <ConfirmButton title={strings.settings.reinstallConfirm} message={strings.settings.reinstallHelp} confirmLabel={strings.settings.reinstall} onConfirm={() => reinstall.mutateAsync()}>
          {strings.settings.reinstall}
        </ConfirmButton>
      </Group>
    </Card>
  );
}
