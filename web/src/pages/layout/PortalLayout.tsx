import type { ReactNode } from 'react';
import { Divider, Stack } from '@mantine/core';
import { useSession } from '../../api/auth';
import { AppFrame } from '../../components/AppFrame';
import { IconActivity, IconKey, IconLock, IconServer, IconShield, IconUser } from '../../components/Icons';
import { NavItem } from '../../components/NavItem';
import { strings } from '../../strings';

/** The customer portal's frame: servers and account pages. */
export function PortalLayout({ children }: { children: ReactNode }) {
  const admin = useSession().data?.admin === true;
  return (
    <AppFrame
      nav={
        <Stack gap={2}>
          <NavItem to="/" exact label={strings.nav.servers} icon={<IconServer />} />
          <Divider my="xs" label={strings.nav.account} labelPosition="left" />
          <NavItem to="/account" exact label={strings.nav.account} icon={<IconUser />} />
          <NavItem to="/account/api" label={strings.nav.apiCredentials} icon={<IconKey />} />
          <NavItem to="/account/ssh" label={strings.nav.sshKeys} icon={<IconLock />} />
          <NavItem to="/account/activity" label={strings.nav.activity} icon={<IconActivity />} />
          {admin && (
            <>
              <Divider my="xs" />
              <NavItem to="/admin" label={strings.nav.admin} icon={<IconShield />} />
            </>
          )}
        </Stack>
      }
    >
      {children}
    </AppFrame>
  );
}
