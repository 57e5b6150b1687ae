import { Alert, Card, Code, Table, Text, Title } from '@mantine/core';
import { PageHeader } from '../../../components/PageHeader';
import { strings } from '../../../strings';

const s = strings.admin.apiKeys;
const RESOURCES = ['servers', 'nodes', 'allocations', 'users', 'locations', 'nests', 'eggs', 'database_hosts', 'server_databases'];

/** `/admin/api`: application keys; their per-resource permissions, and how to make one. */
export default function ApiKeysPage() {
  return (
    <>
      <PageHeader title={s.title} />
      <Alert color="blue" variant="light" mb="md">
        {s.noApi}
      </Alert>
      <Card withBorder padding="md" radius="md" mb="md">
        <Title order={3} size="h5" mb="sm">
          {s.cli}
        </Title>
        <Code block>aerie key create --user admin --type application</Code>
      </Card>
      <Card withBorder padding="md" radius="md">
        <Title order={3} size="h5" mb="sm">
          {s.permissionsTitle}
        </Title>
        <Table.ScrollContainer minWidth={420}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>{s.none}</Table.Th>
                <Table.Th>{s.read}</Table.Th>
                <Table.Th>{s.readWrite}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {RESOURCES.map((r) => (
                <Table.Tr key={r}>
                  <Table.Td className="aerie-mono">r_{r}</Table.Td>
                  <Table.Td>0</Table.Td>
                  <Table.Td>1</Table.Td>
                  <Table.Td>3</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text size="xs" c="dimmed" mt="xs">
          {s.bits}
        </Text>
      </Card>
    </>
  );
}
