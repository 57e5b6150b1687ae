import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import type { Subuser, SubuserCreateBody, SubuserUpdateBody } from '../../../api/types';
import { PermissionEditor } from '../../../components/PermissionEditor';
import { FormError } from '../../../components/QueryState';
import type { PermissionGroup } from '../../../lib/permissions';
import { email as checkEmail } from '../../../lib/validation';
import { strings } from '../../../strings';

/** Invite a subuser (e-mail + permissions) or edit one's permissions. */
export function SubuserModal({ path, groups, own, user, onClose }: { path: string; groups: PermissionGroup[]; own: string[]; user: Subuser | null; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set(user?.permissions.filter((p) => p !== 'websocket.connect') ?? []));
  const save = useAction(
    () =>
      user
        ? request('POST', `${path}/${user.uuid}`, { body: { permissions: [...selected] } satisfies SubuserUpdateBody })
        : request('POST', path, { body: { email: email.trim(), permissions: [...selected] } satisfies SubuserCreateBody }),
    { invalidate: [path], toastErrors: false, success: strings.common.saved, onSuccess: onClose },
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!user) {
      const bad = checkEmail(email);
      setEmailError(bad);
      if (bad) return;
    }
    save.mutate();
  }
  return (
    <Modal opened onClose={onClose} title={user ? strings.subusers.editTitle(user.email) : strings.subusers.create} size="xl" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={save.error} />
          {!user && <TextInput label={strings.subusers.emailLabel} type="email" value={email} error={emailError} data-autofocus onChange={(e) => setEmail(e.currentTarget.value)} />}
          <PermissionEditor groups={groups} selected={selected} onChange={setSelected} own={own} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {strings.common.cancel}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {user ? strings.common.save : strings.subusers.create}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
