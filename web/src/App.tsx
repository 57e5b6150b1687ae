import { lazy, Suspense, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { SESSION_KEY, useSession, type SessionUser } from './api/auth';
import { ErrorAlert } from './components/QueryState';
import { PageLoader, Switch } from './components/Switch';
import { PortalLayout } from './pages/layout/PortalLayout';
import { DashboardPage } from './pages/dashboard/DashboardPage';
import { LoginPage } from './pages/login/LoginPage';
import { ForgotPasswordPage } from './pages/login/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/login/ResetPasswordPage';
import { Redirect, navigate, usePath } from './router';

export const LOGIN_PATH = '/auth/login';

// Code-split: the server pages (xterm, CodeMirror), the account pages and the admin area
// load on first visit.
const ServerRoutes = lazy(() => import('./pages/server/ServerRoutes'));
const AccountRoutes = lazy(() => import('./pages/account/AccountRoutes'));
const AdminRoutes = lazy(() => import('./pages/admin/AdminRoutes'));

/** Top-level routes. Signed-out visitors are sent to the login page. */
export function App() {
  const path = usePath();
  const session = useSession();
  const client = useQueryClient();

  function onSignedIn(user: SessionUser) {
    client.setQueryData(SESSION_KEY, user);
    const next = new URLSearchParams(window.location.search).get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
  }

  if (session.isPending) return <PageLoader />;
  if (session.error) return <ErrorAlert error={session.error} onRetry={() => void session.refetch()} />;
  const user = session.data;

  if (path.startsWith('/auth')) {
    if (user && path === LOGIN_PATH) return <Redirect to="/" />;
    return (
      <Switch
        routes={[
          [LOGIN_PATH, () => <LoginPage onSignedIn={onSignedIn} />],
          ['/auth/password', () => <ForgotPasswordPage />],
          ['/auth/password/reset/:token', () => <ResetPasswordPage />],
        ]}
      />
    );
  }
  if (!user) {
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + window.location.search)}`;
    return <Redirect to={LOGIN_PATH + next} />;
  }
  if (path.startsWith('/server/')) return <Lazy><ServerRoutes /></Lazy>;
  if (path === '/admin' || path.startsWith('/admin/')) {
    return user.admin ? <Lazy><AdminRoutes /></Lazy> : <Redirect to="/" />;
  }
  return (
    <PortalLayout>
      <Switch
        routes={[
          ['/', () => <DashboardPage />],
          ['/account', () => <AccountRoutes />],
          ['/account/:section', () => <AccountRoutes />],
        ]}
      />
    </PortalLayout>
  );
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<PageLoader />}>{children}</Suspense>;
}
