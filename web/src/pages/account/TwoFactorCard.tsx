import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, Code, Group, Image, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { SESSION_KEY } from '../../api/auth';
import { ApiError, request } from '../../api/client';
import { useAction, useGet } from '../../api/query';
import type { DisableTwoFactorBody, EnableTwoFactorBody, Item, TwoFactorSetup } from '../../api/types';
import { CopyField } from '../../components/CopyField';
import { FormError } from '../../components/QueryState';
import { strings } from '../../strings';

/**
 * Two-factor: set-up with a QR code (drawn in the browser) and recovery codes, or turn off.
 * The account transformer does not say whether TOTP is on; `GET .../two-factor` does: it
 * answers 400 when it already is, else the new secret to set up.
 */
export function TwoFactorCard() {
  const status = useGet<TwoFactorSetup>('/api/client/account/two-factor', { retry: false, staleTime: Infinity });
  const [setup, setSetup] = useState(false);
  const [tokens, setTokens] = useState<string[] | null>(null);
  const on = status.error instanceof ApiError && status.error.status === 400;
  let body;
  if (tokens) {
    body = (
      <Stack gap="sm">
        <Alert color="yellow" variant="light" title={strings.account.recoveryTitle}>
          {strings.account.recoveryHelp}
        </Alert>
        <SimpleGrid cols={2} spacing={4}>
          {tokens.map((t) => (
            <Code key={t}>{t}</Code>
          ))}
        </SimpleGrid>
        <Button onClick={() => setTokens(null)}>{strings.common.done}</Button>
      </Stack>
    );
  } else if (on) {
    body = <DisableForm onDone={() => void status.refetch()} />;
  } else if (status.error) {
    body = <FormError error={status.error} />;
  } else if (setup && status.data) {
    body = (
      <SetupForm
        data={status.data}
        onDone={(t) => {
          setSetup(false);
          setTokens(t);
          void status.refetch();
        }}
        onCancel={() => setSetup(false)}
      />
    );
  } else {
    body = (
      <Stack gap="sm">
        <Text size="sm">{strings.account.twoFactorOff}</Text>
        <Group justify="flex-end">
          <Button onClick={() => setSetup(true)} loading={status.isPending}>
            {strings.account.enable2fa}
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5" mb="sm">
        {strings.account.twoFactor}
      </Title>
      {body}
    </Card>
  );
}

function useQrSvg(text: string | undefined): string | null {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    if (!text) return;
    let live = true;
    void import('uqr').then(({ renderSVG }) => live && setSvg(renderSVG(text, { border: 2 })));
    return () => {
      live = false;
    };
  }, [text]);
  return svg;
}

function SetupForm({ data, onDone, onCancel }: { data: TwoFactorSetup; onDone: (tokens: string[]) => void; onCancel: () => void }) {
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const svg = useQrSvg(data.data.image_url_data);
  const enable = useAction(() => request<Item<{ tokens: string[] }>>('POST', '/api/client/account/two-factor', { body: { code, password } satisfies EnableTwoFactorBody }), {
    toastErrors: false,
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: SESSION_KEY });
      onDone(r.attributes.tokens);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const bad = /^\d{6}$/.test(code.trim()) ? null : strings.login.codeRequired;
    setCodeError(bad);
    if (!bad) enable.mutate();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">{strings.account.scanQr}</Text>
        {svg ? <Image src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`} alt={strings.account.qrAlt} w={200} h={200} bg="white" radius="sm" /> : null}
        <CopyField label={strings.account.secret} value={data.data.secret} />
        <FormError error={enable.error} />
        <TextInput label={strings.account.codeLabel} inputMode="numeric" autoComplete="one-time-code" value={code} error={codeError} onChange={(e) => setCode(e.currentTarget.value)} />
        <PasswordInput label={strings.account.currentPassword} autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {strings.common.cancel}
          </Button>
          <Button type="submit" loading={enable.isPending}>
            {strings.account.enable}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DisableForm({ onDone }: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const disable = useAction(() => request('POST', '/api/client/account/two-factor/disable', { body: { password } satisfies DisableTwoFactorBody }), {
    toastErrors: false,
    success: strings.common.saved,
    onSuccess: onDone,
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        disable.mutate();
      }}
      noValidate
    >
      <Stack gap="sm">
        <Text size="sm">{strings.account.twoFactorOn}</Text>
        <FormError error={disable.error} />
        <PasswordInput label={strings.account.currentPassword} autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button color="red" type="submit" loading={disable.isPending}>
            {strings.account.disable2fa}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
