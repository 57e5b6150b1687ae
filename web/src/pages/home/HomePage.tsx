import { Container, Paper, Stack, Text } from '@mantine/core';
import type { SessionUser } from '../../api/auth';
import { Brand } from '../../components/Brand';
import { strings } from '../../strings';

/** `/` once signed in: a placeholder until the full panel UI lands. */
export function HomePage({ user }: { user: SessionUser }) {
  return (
    <Container size={420} px={0} pt={{ base: 'md', sm: 60 }}>
      <Stack gap="lg">
        <Brand />
        <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md">
          <Stack gap="xs">
            <Text fw={600} size="lg">
              {strings.home.signedInAs(user.username)}
            </Text>
            <Text c="dimmed" size="sm">
              {strings.home.comingSoon}
            </Text>
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}
