import { useEffect, useState } from 'react';
import { Center, Loader } from '@mantine/core';
import { fetchSessionUser, type SessionUser } from './api/auth';
import { PageShell } from './components/PageShell';
import { HomePage } from './pages/home/HomePage';
import { LoginPage } from './pages/login/LoginPage';
import { Redirect, navigate, usePath } from './router';
import { strings } from './strings';

export const LOGIN_PATH = '/auth/login';

type Session = { state: 'checking' } | { state: 'anonymous' } | { state: 'signed-in'; user: SessionUser };

/** Top-level routes. Signed-out visitors are sent to the login page. */
export function App() {
  const path = usePath();
  const [session, setSession] = useState<Session>({ state: 'checking' });

  // An existing session cookie signs the visitor straight in.
  useEffect(() => {
    const ctl = new AbortController();
    fetchSessionUser(ctl.signal).then(
      (user) => setSession(user ? { state: 'signed-in', user } : { state: 'anonymous' }),
      () => {
        if (!ctl.signal.aborted) setSession({ state: 'anonymous' });
      },
    );
    return () => ctl.abort();
  }, []);

  function onSignedIn(user: SessionUser) {
    setSession({ state: 'signed-in', user });
    navigate('/');
  }

  let page;
  if (session.state === 'checking') {
    page = (
      <Center pt={80}>
        <Loader aria-label={strings.app.loading} />
      </Center>
    );
  } else if (path === LOGIN_PATH) {
    page = session.state === 'signed-in' ? <Redirect to="/" /> : <LoginPage onSignedIn={onSignedIn} />;
  } else if (path === '/') {
    page = session.state === 'signed-in' ? <HomePage user={session.user} /> : <Redirect to={LOGIN_PATH} />;
  } else {
    page = <Redirect to="/" />;
  }

  return <PageShell>{page}</PageShell>;
}
