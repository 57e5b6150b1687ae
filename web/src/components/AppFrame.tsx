import type { ReactNode } from 'react';
import { AppShell, Burger, Group, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect } from 'react';
import { Link, usePath } from '../router';
import { strings } from '../strings';
import { ColorSchemeToggle } from './ColorSchemeToggle';
import { UserMenu } from './UserMenu';

/**
 * The frame of every signed-in page: a header (menu button on phones, wordmark, theme
 * toggle, user menu) and a side navigation that collapses into a drawer below `sm`.
 */
export function AppFrame({ nav, children }: { nav: ReactNode; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const path = usePath();
  // Following a link on a phone closes the drawer.
  useEffect(() => close(), [path, close]);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="aerie-skip">
        {strings.app.skipToContent}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={strings.nav.menu} />
            <UnstyledButton component={Link} to="/" aria-label={strings.nav.servers}>
              <Text fw={800} fz={22} c="blue.6" lts={-0.5}>
                {strings.app.name}
              </Text>
              <VisuallyHidden>{strings.app.tagline}</VisuallyHidden>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={strings.nav.menu}>
        <ScrollArea type="auto">{nav}</ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
