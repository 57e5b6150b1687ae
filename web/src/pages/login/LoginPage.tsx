import { useState } from 'react';
import { Anchor } from '@mantine/core';
import type { SessionUser } from '../../api/auth';
import { Link } from '../../router';
import { strings } from '../../strings';
import { AuthCard } from './AuthCard';
import { CheckpointForm } from './CheckpointForm';
import { LoginForm } from './LoginForm';

/** `/auth/login`: credentials, then the two-factor checkpoint when the account has it. */
export function LoginPage({ onSignedIn }: { onSignedIn: (user: SessionUser) => void }) {
  const [token, setToken] = useState<string | null>(null);
  if (token !== null) {
    return (
      <AuthCard title={strings.login.checkpointTitle}>
        <CheckpointForm confirmationToken={token} onSignedIn={onSignedIn} onBack={() => setToken(null)} />
      </AuthCard>
    );
  }
  return (
    <AuthCard title={strings.login.title}>
      <LoginForm onSignedIn={onSignedIn} onCheckpoint={setToken} />
      <Anchor component={Link} to="/auth/password" size="sm" ta="center">
        {strings.login.forgot}
      </Anchor>
    </AuthCard>
  );
}
