import { Stack, Text, Title } from '@mantine/core';
import { strings } from '../strings';

/** The Aerie wordmark with its tagline. */
export function Brand() {
  return (
    <Stack gap={2} align="center">
      <Title order={1} fz={{ base: 32, sm: 40 }} fw={800} lts={-0.5} c="blue.6">
        {strings.app.name}
      </Title>
      <Text c="dimmed" size="sm">
        {strings.app.tagline}
      </Text>
    </Stack>
  );
}
