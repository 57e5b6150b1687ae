import { useRef, useState, type FormEvent } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { login, type SessionUser } from '../../api/auth';
import { ApiError } from '../../api/client';
import { strings } from '../../strings';

interface FieldErrors {
  user?: string;
  password?: string;
}

export interface LoginFormProps {
  /** Called once the panel has accepted the credentials. */
  onSignedIn: (user: SessionUser) => void;
  /** Called with the confirmation token when the account needs a second factor. */
  onCheckpoint?: (confirmationToken: string) => void;
}

/**
 * Username/email and password form. Both fields are required: an empty one shows an inline
 * error and no request is sent. A refused sign-in shows the panel's own message.
 */
export function LoginForm({ onSignedIn, onCheckpoint }: LoginFormProps) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (submitting) return;

    const errors: FieldErrors = {};
    if (user.trim() === '') errors.user = strings.login.userRequired;
    if (password === '') errors.password = strings.login.passwordRequired;
    setFieldErrors(errors);
    if (errors.user || errors.password) {
      (errors.user ? userRef : passwordRef).current?.focus();
      return;
    }

    setServerError(null);
    setSubmitting(true);
    try {
      const result = await login(user.trim(), password);
      if (result.complete) {
        onSignedIn(result.user);
      } else {
        setSubmitting(false);
        onCheckpoint?.(result.confirmationToken);
      }
    } catch (err) {
      setServerError(err instanceof ApiError ? err.detail : strings.errors.network);
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label={strings.login.title}>
      <Stack gap="md">
        {serverError !== null && (
          <Alert color="red" variant="light" title={strings.login.errorTitle}>
            {serverError}
          </Alert>
        )}
        <TextInput
          ref={userRef}
          label={strings.login.userLabel}
          name="user"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          value={user}
          error={fieldErrors.user}
          onChange={(e) => {
            setUser(e.currentTarget.value);
            if (fieldErrors.user) setFieldErrors((f) => ({ ...f, user: undefined }));
          }}
        />
        <PasswordInput
          ref={passwordRef}
          label={strings.login.passwordLabel}
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={fieldErrors.password}
          onChange={(e) => {
            setPassword(e.currentTarget.value);
            if (fieldErrors.password) setFieldErrors((f) => ({ ...f, password: undefined }));
          }}
        />
        <Button type="submit" fullWidth loading={submitting}>
          {strings.login.submit}
        </Button>
      </Stack>
    </form>
  );
}
