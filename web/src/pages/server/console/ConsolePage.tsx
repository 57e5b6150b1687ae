import { Badge, Grid, Group, Stack } from '@mantine/core';
import { request } from '../../../api/client';
import { useAction } from '../../../api/query';
import { PageHeader } from '../../../components/PageHeader';
import { strings } from '../../../strings';
import { useServer } from '../ServerContext';
import { CommandInput } from './CommandInput';
import { PowerButtons } from './PowerButtons';
import { StatsPanel } from './StatsPanel';
import { Terminal } from './Terminal';

/** `/server/:id`: the live console, power controls, stats and charts. */
export default function ConsolePage() {
  const { live, base, can, server } = useServer();
  const command = useAction((cmd: string) => {
    if (live.send('send command', cmd)) return Promise.resolve();
    return request('POST', `${base}/command`, { body: { command: cmd } });
  });
  const state = live.state;
  const canType = can('control.console') && (state === 'running' || state === 'starting');
  const conn = live.connection;
  return (
    <>
      <PageHeader
        title={`${strings.console.title}`}
        description={server.node}
        actions={<PowerButtons state={state} />}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="xs">
            <Group gap="xs">
              <Badge variant="dot" color={conn === 'connected' ? 'green' : conn === 'reconnecting' ? 'orange' : 'gray'} data-connection={conn}>
                {conn === 'connected' ? strings.console.connected : conn === 'reconnecting' ? strings.console.reconnecting : strings.console.connecting}
              </Badge>
            </Group>
            <Terminal live={live} />
            {can('control.console') && <CommandInput onSend={(c) => command.mutate(c)} disabled={!canType} hint={strings.console.offlineHint} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <StatsPanel />
        </Grid.Col>
      </Grid>
    </>
  );
}
