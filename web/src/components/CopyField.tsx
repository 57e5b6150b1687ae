import { ActionIcon, CopyButton, TextInput, Tooltip } from '@mantine/core';
import { strings } from '../strings';
import { IconCopy } from './Icons';

/** A read-only value with a copy button. */
export function CopyField({ label, value, mono = true }: { label: string; value: string; mono?: boolean }) {
  return (
    <TextInput
      label={label}
      value={value}
      readOnly
      styles={mono ? { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } : undefined}
      onFocus={(e) => e.currentTarget.select()}
      rightSection={
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? strings.common.copied : strings.common.copy} withArrow>
              <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={`${strings.common.copy} ${label}`}>
                <IconCopy size={16} />
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}
