import { Badge, Button, Card, Code, Group, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { invalidate, useGet } from '../../../api/query';
import type { Egg, Item } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { Link, useParam } from '../../../router';
import { strings } from '../../../strings';
import { APP } from '../appApi';
import { downloadJson, fetchExport, importEgg } from './eggFile';
import { VariablesEditor } from './VariablesEditor';

const s = strings.admin.nests;

/** `/admin/nests/:nest/eggs/:egg`: configuration, install script and variables of an egg. */
export default function EggDetailPage() {
  const nest = useParam('nest');
  const id = useParam('egg');
  const path = `${APP}/nests/${nest}/eggs/${id}`;
  const egg = useGet<Item<Egg>>(path);
  const exported = useQuery({ queryKey: ['egg-export', nest, id], queryFn: () => fetchExport(nest, id) });
  const client = useQueryClient();
  return (
    <QueryState query={egg}>
      {({ attributes: e }) => (
        <>
          <PageHeader
            title={e.name}
            description={e.description}
            actions={
              <>
                <Button component={Link} to={`/admin/nests/${nest}`} variant="default">
                  {strings.common.back}
                </Button>
                <Button variant="light" disabled={!exported.data} onClick={() => exported.data && downloadJson(exported.data, e.name)}>
                  {s.export}
                </Button>
              </>
            }
          />
          <Tabs defaultValue="config" keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="config">{s.config}</Tabs.Tab>
              <Tabs.Tab value="variables">{s.variables}</Tabs.Tab>
              <Tabs.Tab value="script">{s.installScript}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="config">
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Card withBorder padding="md" radius="md">
                  <Text fw={600} size="sm" mb={4}>
                    {s.dockerImages}
                  </Text>
                  <Stack gap={4}>
                    {Object.entries(e.docker_images).map(([label, image]) => (
                      <Group key={label} gap="xs">
                        <Badge variant="light">{label}</Badge>
                        <Code>{String(image)}</Code>
                      </Group>
                    ))}
                  </Stack>
                  <Text fw={600} size="sm" mt="md" mb={4}>
                    {s.startup}
                  </Text>
                  <Code block>{e.startup}</Code>
                  <Text fw={600} size="sm" mt="md" mb={4}>
                    {s.stop}
                  </Text>
                  <Code>{e.config.stop}</Code>
                </Card>
                <Card withBorder padding="md" radius="md">
                  <Text fw={600} size="sm" mb={4}>
                    {s.config}
                  </Text>
                  <Code block>{JSON.stringify({ files: e.config.files, startup: e.config.startup, logs: e.config.logs }, null, 2)}</Code>
                </Card>
              </SimpleGrid>
            </Tabs.Panel>
            <Tabs.Panel value="variables">
              <QueryState query={exported}>
                {(doc) => (
                  <VariablesEditor
                    initial={doc.variables ?? []}
                    onSave={async (vars) => {
                      await importEgg(nest, JSON.stringify({ ...doc, variables: vars }));
                      notifications.show({ color: 'green', message: strings.common.saved });
                      await invalidate(client, [path]);
                      await exported.refetch();
                    }}
                  />
                )}
              </QueryState>
            </Tabs.Panel>
            <Tabs.Panel value="script">
              <Card withBorder padding="md" radius="md">
                <Group gap="md" mb="sm">
                  <Text size="sm">
                    {s.scriptContainer}: <Code>{e.script.container}</Code>
                  </Text>
                  <Text size="sm">
                    {s.scriptEntry}: <Code>{e.script.entry}</Code>
                  </Text>
                </Group>
                <Code block style={{ maxHeight: 480, overflow: 'auto' }}>
                  {e.script.install}
                </Code>
              </Card>
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </QueryState>
  );
}
