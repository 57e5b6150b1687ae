import { Button, Group } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { strings } from '../../../strings';
import { useServer } from '../ServerContext';

/** Start / restart / stop (kill while stopping), over the websocket with an HTTP fallback. */
export function PowerButtons({ state }: { state: string | null }) {
  const { live, base, can, server } = useServer();
  const power = useAction((signal: string) => {
    if (live.send('set state', signal)) return Promise.resolve();
    return request('POST', `${base}/power`, { body: { signal } });
  });
  const blocked = server.is_suspended || server.is_installing || server.is_transferring || server.status !== null;
  const running = state === 'running' || state === 'starting';
  const stopping = state === 'stopping';
  return (
    <Group gap="xs">
      {can('control.start') && (
        <Button color="green" disabled={blocked || running || stopping} onClick={() => power.mutate('start')}>
          {strings.console.start}
        </Button>
      )}
      {can('control.restart') && (
        <Button variant="default" disabled={blocked || state === 'offline' || state === null} onClick={() => power.mutate('restart')}>
          {strings.console.restart}
        </Button>
      )}
      {can('control.stop') &&
        (stopping ? (
          <ConfirmButton title={strings.console.kill} message={strings.console.killConfirm} confirmLabel={strings.console.kill} onConfirm={() => power.mutateAsync('kill')}>
            {strings.console.kill}
          </ConfirmButton>
        ) : (
          <Button color="red" disabled={blocked || !running} onClick={() => power.mutate('stop')}>
            {strings.console.stop}
          </Button>
        ))}
    </Group>
  );
}
