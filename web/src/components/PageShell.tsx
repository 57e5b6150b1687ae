import type { ReactNode } from 'react';
import { Box, Group } from '@mantine/core';
import { ColorSchemeToggle } from './ColorSchemeToggle';

/** The frame around every page for now: a slim top bar with the theme toggle. */
export function PageShell({ children }: { children: ReactNode }) {
  return (
    <Box mih="100dvh" style={{ display: 'flex', flexDirection: 'column' }}>
      <Group component="header" justify="flex-end" px="md" py="xs">
        <ColorSchemeToggle />
      </Group>
      <Box component="main" style={{ flex: 1 }} px="md" pb="xl">
        {children}
      </Box>
    </Box>
  );
}
