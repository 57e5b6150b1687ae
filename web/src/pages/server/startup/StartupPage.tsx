import { Card, Code, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction, useGet } from '../../../api/query';
import type { ClientEggVariable, List } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { VariableField } from './VariableField';

type Startup = List<ClientEggVariable, { startup_command: string; raw_startup_command: string; docker_images: Record<string, string> }>;

/** `/server/:id/startup`: the startup command, the Docker image and the variables. */
export default function StartupPage() {
  const { base, can, server } = useServer();
  const path = `${base}/startup`;
  const startup = useGet<Startup>(can('startup.read') ? path : null);
  const image = useAction((docker_image: string) => request('PUT', `${base}/settings/docker-image`, { body: { docker_image } }), {
    invalidate: [base],
    success: strings.common.saved,
  });
  if (!can('startup.read')) return <NoPermission />;
  return (
    <>
      <PageHeader title={strings.startup.title} />
      <QueryState query={startup}>
        {(data) => {
          const images = Object.entries(data.meta?.docker_images ?? {});
          return (
            <Stack>
              <Card withBorder padding="md" radius="md">
                <Text size="sm" fw={600} mb={4}>
                  {strings.startup.command}
                </Text>
                <Code block>{data.meta?.startup_command}</Code>
              </Card>
              <Card withBorder padding="md" radius="md">
                <Select
                  label={strings.startup.image}
                  description={strings.startup.imageHelp}
                  value={server.docker_image}
                  data={images.some(([, v]) => v === server.docker_image) ? images.map(([label, value]) => ({ label, value })) : [{ label: server.docker_image, value: server.docker_image }, ...images.map(([label, value]) => ({ label, value }))]}
                  disabled={!can('startup.docker-image') || images.length < 2 || image.isPending}
                  allowDeselect={false}
                  onChange={(v) => v && v !== server.docker_image && image.mutate(v)}
                />
              </Card>
              <Title order={3} size="h5">
                {strings.startup.variables}
              </Title>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                {data.data.map((v) => (
                  <VariableField key={v.attributes.env_variable} variable={v.attributes} path={`${base}/startup/variable`} canEdit={can('startup.update')} />
                ))}
              </SimpleGrid>
            </Stack>
          );
        }}
      </QueryState>
    </>
  );
}
