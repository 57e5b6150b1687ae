import type { ReactNode } from 'react';
import { NavLink } from '@mantine/core';
import { Link, usePath } from '../router';

/** A side-navigation link, highlighted when the URL is `to` (or below it, unless `exact`). */
export function NavItem({ to, label, icon, exact = false }: { to: string; label: string; icon?: ReactNode; exact?: boolean }) {
  const path = usePath();
  const active = exact ? path === to : path === to || path.startsWith(to.endsWith('/') ? to : `${to}/`);
  return (
    <NavLink
      component={Link}
      to={to}
      label={label}
      leftSection={icon}
      active={active}
      aria-current={active ? 'page' : undefined}
      variant="light"
      style={{ borderRadius: 'var(--mantine-radius-md)' }}
    />
  );
}
