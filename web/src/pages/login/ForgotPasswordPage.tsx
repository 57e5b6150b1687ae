import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { forgotPassword } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { email as checkEmail } from '../../lib/validation';
import { Link } from '../../router';
import { strings } from '../../strings';
import { AuthCard } from './AuthCard';

/** `/auth/password`: asks for a reset link. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const bad = checkEmail(email);
    setFieldError(bad);
    if (bad) return;
    setBusy(true);
    setError(null);
    try {
      await forgotPassword(email.trim());
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard title={strings.login.forgotTitle}>
      {sent ? (
        <Alert color="green" variant="light">
          {strings.login.linkSent}
        </Alert>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <Text size="sm" c="dimmed">
              {strings.login.forgotHelp}
            </Text>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label={strings.login.emailLabel} type="email" autoComplete="email" required value={email} error={fieldError} onChange={(e) => setEmail(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>
              {strings.login.sendLink}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/auth/login" size="sm" ta="center">
        {strings.login.backToLogin}
      </Anchor>
    </AuthCard>
  );
}
