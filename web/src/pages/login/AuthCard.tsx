import type { ReactNode } from 'react';
import { Box, Container, Group, Paper, Stack, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { Brand } from '../../components/Brand';
import { ColorSchemeToggle } from '../../components/ColorSchemeToggle';
import { strings } from '../../strings';

/** The centred card of the signed-out pages. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  useDocumentTitle(`${title} · ${strings.app.name}`);
  return (
    <Box mih="100dvh">
      <Group justify="flex-end" px="md" py="xs">
        <ColorSchemeToggle />
      </Group>
      <Container size={420} px="md" pt={{ base: 'md', sm: 40 }} component="main" id="main">
        <Stack gap="lg">
          <Brand />
          <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md">
            <Stack gap="md">
              <Title order={2} size="h3">
                {title}
              </Title>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Container>
    </Box>
  );
}
