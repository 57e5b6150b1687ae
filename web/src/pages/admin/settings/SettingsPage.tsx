import { Alert, Anchor, Card, Code, Stack, Text, Title } from '@mantine/core';
import { PageHeader } from '../../../components/PageHeader';
import { strings } from '../../../strings';

const s = strings.admin.settings;

/** `/admin/settings`: what can be configured, and where (no settings API yet). */
export default function SettingsPage() {
  return (
    <>
      <PageHeader title={s.title} />
      <Stack>
        <Alert color="blue" variant="light">
          {s.noApi}
        </Alert>
        <Card withBorder padding="md" radius="md">
          <Title order={3} size="h5" mb="sm">
            {s.config}
          </Title>
          <Code block>{`# <data dir>/aerie.toml
[panel]
url = "${window.location.origin}"
database_url = "sqlite:///var/lib/aerie/panel.db"
[log]
filter = "info"`}</Code>
        </Card>
        <Card withBorder padding="md" radius="md">
          <Text size="sm">
            {s.openapi}:{' '}
            <Anchor href="/api/openapi.json" target="_blank" rel="noopener">
              /api/openapi.json
            </Anchor>
          </Text>
        </Card>
      </Stack>
    </>
  );
}
