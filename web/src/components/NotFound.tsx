import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from '../router';
import { strings } from '../strings';

export function NotFound() {
  return (
    <Stack align="center" py={60} gap="sm">
      <Title order={1} size="h2">
        404
      </Title>
      <Text c="dimmed">{strings.app.notFound}</Text>
      <Button component={Link} to="/" variant="light">
        {strings.app.backHome}
      </Button>
    </Stack>
  );
}
