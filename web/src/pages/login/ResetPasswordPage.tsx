import { useState, type FormEvent } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { resetPassword } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { navigate, useParam, useSearchParams } from '../../router';
import { strings } from '../../strings';
import { AuthCard } from './AuthCard';

/** `/auth/password/reset/:token?email=…`: sets a new password from a mailed link. */
export function ResetPasswordPage() {
  const token = useParam('token');
  const search = useSearchParams();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (password.length < 8) next.password = strings.login.passwordTooShort;
    if (password !== confirm) next.confirm = strings.login.passwordsDiffer;
    setErrors(next);
    if (next.password || next.confirm) return;
    setBusy(true);
    setError(null);
    try {
      await resetPassword({ token, email: email.trim(), password, password_confirmation: confirm });
      navigate('/auth/login');
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }
  return (
    <AuthCard title={strings.login.resetTitle}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label={strings.login.emailLabel} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label={strings.login.newPassword} autoComplete="new-password" value={password} error={errors.password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <PasswordInput label={strings.login.confirmPassword} autoComplete="new-password" value={confirm} error={errors.confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
          <Button type="submit" loading={busy}>
            {strings.login.resetSubmit}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
