import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Group, Stack, TextInput } from '@mantine/core';
import { checkpoint, type SessionUser } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { strings } from '../../strings';

/** The second step of a two-factor sign-in: a TOTP code, or a recovery code. */
export function CheckpointForm({
  confirmationToken,
  onSignedIn,
  onBack,
}: {
  confirmationToken: string;
  onSignedIn: (user: SessionUser) => void;
  onBack: () => void;
}) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const value = code.trim();
    if (recovery ? value === '' : !/^\d{6}$/.test(value)) {
      setFieldError(recovery ? strings.login.recoveryRequired : strings.login.codeRequired);
      return;
    }
    setFieldError(null);
    setServerError(null);
    setBusy(true);
    try {
      const user = await checkpoint(confirmationToken, recovery ? { recovery_token: value } : { authentication_code: value });
      onSignedIn(user);
    } catch (err) {
      setServerError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={strings.login.checkpointTitle}>
      <Stack gap="md">
        {serverError && (
          <Alert color="red" variant="light" title={strings.login.errorTitle} role="alert">
            {serverError}
          </Alert>
        )}
        {recovery ? (
          <TextInput
            label={strings.login.recoveryLabel}
            value={code}
            autoFocus
            autoComplete="off"
            error={fieldError}
            onChange={(e) => setCode(e.currentTarget.value)}
          />
        ) : (
          <TextInput
            label={strings.login.codeLabel}
            description={strings.login.checkpointHelp}
            value={code}
            autoFocus
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            error={fieldError}
            styles={{ input: { letterSpacing: '0.3em', fontFamily: 'var(--mantine-font-family-monospace)' } }}
            onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
          />
        )}
        <Button type="submit" loading={busy} fullWidth>
          {strings.login.verify}
        </Button>
        <Group justify="space-between">
          <Anchor component="button" type="button" size="sm" onClick={() => { setRecovery(!recovery); setCode(''); setFieldError(null); }}>
            {recovery ? strings.login.useCode : strings.login.useRecovery}
          </Anchor>
          <Anchor component="button" type="button" size="sm" onClick={onBack}>
            {strings.login.backToLogin}
          </Anchor>
        </Group>
      </Stack>
    </form>
  );
}
