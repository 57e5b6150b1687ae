import { useState, type FormEvent } from 'react';
import type { UpdateEmailBody, UpdatePasswordBody } from '../../api/types';
import { Button, Card, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { SESSION_KEY, useSession } from '../../api/auth';
import { request } from '../../api/client';
import { useAction } from '../../api/query';
import { PageHeader } from '../../components/PageHeader';
import { FormError } from '../../components/QueryState';
import { email as checkEmail } from '../../lib/validation';
import { strings } from '../../strings';
import { TwoFactorCard } from './TwoFactorCard';

/** `/account`: e-mail, password and two-factor. */
export function AccountOverview() {
  const user = useSession().data;
  return (
    <>
      <PageHeader title={strings.account.title} description={user?.username} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Stack>
          <EmailCard current={user?.email ?? ''} />
          <PasswordCard />
        </Stack>
        <TwoFactorCard />
      </SimpleGrid>
    </>
  );
}

function EmailCard({ current }: { current: string }) {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const save = useAction(() => request('PUT', '/api/client/account/email', { body: { email: email.trim(), password } satisfies UpdateEmailBody }), {
    toastErrors: false,
    success: strings.account.emailUpdated,
    onSuccess: () => {
      setEmail('');
      setPassword('');
      void client.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const bad = checkEmail(email);
    setErr(bad);
    if (!bad) save.mutate();
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h5" mb="xs">
        {strings.account.email}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {current}
      </Text>
      <Stack gap="sm">
        <FormError error={save.error} />
        <TextInput label={strings.account.emailLabel} type="email" autoComplete="email" value={email} error={err} onChange={(e) => setEmail(e.currentTarget.value)} />
        <PasswordInput label={strings.account.currentPassword} autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {strings.account.updateEmail}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ next?: string; confirm?: string }>({});
  const save = useAction(
    () => request('PUT', '/api/client/account/password', { body: { current_password: current, password: next, password_confirmation: confirm } satisfies UpdatePasswordBody }),
    {
      toastErrors: false,
      success: strings.account.passwordUpdated,
      onSuccess: () => {
        setCurrent('');
        setNext('');
        setConfirm('');
      },
    },
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: typeof errors = {};
    if (next.length < 8) errs.next = strings.login.passwordTooShort;
    if (next !== confirm) errs.confirm = strings.login.passwordsDiffer;
    setErrors(errs);
    if (!errs.next && !errs.confirm) save.mutate();
  }
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h5" mb="sm">
        {strings.account.password}
      </Title>
      <Stack gap="sm">
        <FormError error={save.error} />
        <PasswordInput label={strings.account.currentPassword} autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} />
        <PasswordInput label={strings.account.newPassword} autoComplete="new-password" value={next} error={errors.next} onChange={(e) => setNext(e.currentTarget.value)} />
        <PasswordInput label={strings.account.confirmPassword} autoComplete="new-password" value={confirm} error={errors.confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {strings.account.updatePassword}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
