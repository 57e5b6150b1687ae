import { ActionIcon, Avatar, Menu } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { logout, SESSION_KEY, useSession } from '../api/auth';
import { navigate } from '../router';
import { strings } from '../strings';
import { IconLogout, IconServer, IconShield, IconUser } from './Icons';

/** The avatar menu: servers, account, administration (admins), sign out. */
export function UserMenu() {
  const session = useSession();
  const client = useQueryClient();
  const user = session.data;
  if (!user) return null;
  async function signOut() {
    try {
      await logout();
    } finally {
      client.clear();
      client.setQueryData(SESSION_KEY, null);
      navigate('/auth/login');
    }
  }
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="default" size="lg" radius="xl" aria-label={`${strings.nav.account}: ${user.username}`}>
          <Avatar size={28} radius="xl" color="blue">
            {user.username.slice(0, 2).toUpperCase()}
          </Avatar>
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{user.username}</Menu.Label>
        <Menu.Item leftSection={<IconServer size={16} />} onClick={() => navigate('/')}>
          {strings.nav.servers}
        </Menu.Item>
        <Menu.Item leftSection={<IconUser size={16} />} onClick={() => navigate('/account')}>
          {strings.nav.account}
        </Menu.Item>
        {user.admin && (
          <Menu.Item leftSection={<IconShield size={16} />} onClick={() => navigate('/admin')}>
            {strings.nav.admin}
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
          {strings.nav.signOut}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
