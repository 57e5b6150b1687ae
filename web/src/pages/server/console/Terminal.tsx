import { useEffect, useRef } from 'react';
import { Box } from '@mantine/core';
import { Terminal as XTerm } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { toTerminal } from '../../../lib/consoleBuffer';
import { strings } from '../../../strings';
import type { LiveServer } from '../useServerSocket';

const THEME = {
  background: '#101113',
  foreground: '#d9d9d9',
  cursor: 'transparent',
  selectionBackground: '#3b5bdb80',
  black: '#1a1b1e',
  red: '#ff6b6b',
  green: '#69db7c',
  yellow: '#ffd43b',
  blue: '#4dabf7',
  magenta: '#da77f2',
  cyan: '#3bc9db',
  white: '#dee2e6',
  brightBlack: '#868e96',
  brightRed: '#ff8787',
  brightGreen: '#8ce99a',
  brightYellow: '#ffe066',
  brightBlue: '#74c0fc',
  brightMagenta: '#e599f7',
  brightCyan: '#66d9e8',
  brightWhite: '#f8f9fa',
};

/**
 * The console's screen: xterm.js (ANSI colours, selection, scrollback) fed from the live
 * buffer. Read-only; commands go through the input below it.
 */
export function Terminal({ live }: { live: LiveServer }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const term = new XTerm({
      disableStdin: true,
      convertEol: true,
      cursorBlink: false,
      fontSize: 13,
      lineHeight: 1.2,
      scrollback: 5000,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      theme: THEME,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(node);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        /* not laid out yet */
      }
    };
    refit();
    for (const line of live.buffer.toArray()) term.writeln(toTerminal(line));
    const offLine = live.onLine((line) => term.writeln(toTerminal(line)));
    const offReset = live.onReset(() => term.reset());
    const ro = new ResizeObserver(refit);
    ro.observe(node);
    return () => {
      ro.disconnect();
      offLine();
      offReset();
      term.dispose();
    };
    // The buffer and listener registry live as long as the layout: subscribe once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <Box
      ref={el}
      role="log"
      aria-label={strings.console.title}
      data-testid="console"
      p={8}
      style={{ background: THEME.background, borderRadius: 'var(--mantine-radius-md)', height: 'min(60vh, 520px)', minHeight: 240, overflow: 'hidden' }}
    />
  );
}
