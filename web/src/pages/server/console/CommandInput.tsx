import { useRef, useState, type KeyboardEvent } from 'react';
import { ActionIcon, TextInput } from '@mantine/core';
import { CommandHistory } from '../../../lib/consoleBuffer';
import { strings } from '../../../strings';
import { IconTerminal } from '../../../components/Icons';

/** The command line under the console: Enter sends, ↑/↓ walk the history. */
export function CommandInput({ onSend, disabled, hint }: { onSend: (command: string) => void; disabled: boolean; hint?: string }) {
  const history = useRef(new CommandHistory());
  const [value, setValue] = useState('');
  function send() {
    const cmd = value;
    if (cmd.trim() === '' || disabled) return;
    history.current.push(cmd);
    onSend(cmd);
    setValue('');
  }
  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      send();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setValue(history.current.up(value));
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setValue(history.current.down());
    }
  }
  return (
    <TextInput
      aria-label={strings.console.commandLabel}
      placeholder={disabled && hint ? hint : strings.console.commandPlaceholder}
      value={value}
      disabled={disabled}
      onChange={(e) => setValue(e.currentTarget.value)}
      onKeyDown={onKeyDown}
      autoComplete="off"
      spellCheck={false}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      leftSection={<IconTerminal size={16} />}
      rightSection={
        <ActionIcon variant="subtle" onClick={send} disabled={disabled} aria-label={strings.console.send}>
          ↵
        </ActionIcon>
      }
    />
  );
}
