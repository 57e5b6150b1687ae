import { Button, Card, Group, Progress, Stack, Text } from '@mantine/core';
import { formatBytes } from '../../../lib/format';
import { strings } from '../../../strings';
import type { UploadItem } from './useUploads';

/** One progress bar per upload, with wings' error message when one fails. */
export function UploadList({ items, onClear }: { items: UploadItem[]; onClear: () => void }) {
  if (items.length === 0) return null;
  return (
    <Card withBorder padding="sm" radius="md" aria-label={strings.files.uploads}>
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="sm">
          {strings.files.uploads}
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={onClear}>
          {strings.files.clearUploads}
        </Button>
      </Group>
      <Stack gap={8}>
        {items.map((i) => {
          const pct = i.size ? (i.loaded / i.size) * 100 : i.status === 'done' ? 100 : 0;
          return (
            <div key={i.id} data-upload={i.name} data-status={i.status}>
              <Group justify="space-between" gap="xs" wrap="nowrap">
                <Text size="xs" className="aerie-mono" truncate>
                  {i.name}
                </Text>
                <Text size="xs" c={i.status === 'failed' ? 'red' : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
                  {i.status === 'done' ? strings.files.uploadDone : i.status === 'failed' ? strings.files.uploadFailed : `${formatBytes(i.loaded)} / ${formatBytes(i.size)}`}
                </Text>
              </Group>
              <Progress
                value={pct}
                size="sm"
                color={i.status === 'failed' ? 'red' : i.status === 'done' ? 'green' : 'blue'}
                animated={i.status === 'uploading'}
                aria-label={`${i.name}: ${Math.round(pct)}%`}
              />
              {i.error && (
                <Text size="xs" c="red" role="alert">
                  {i.error}
                </Text>
              )}
            </div>
          );
        })}
      </Stack>
    </Card>
  );
}
