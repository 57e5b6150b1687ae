import { useEffect, useRef, useState } from 'react';
import { Box, Center, Loader, useComputedColorScheme } from '@mantine/core';
import type { EditorLanguage } from '../../../lib/paths';
import { strings } from '../../../strings';

type CM = typeof import('./codemirror');

/** The CodeMirror editor, its code loaded on first use. `onChange` gets every edit. */
export function CodeEditor({
  initial,
  language,
  label,
  onChange,
  onSave,
}: {
  initial: string;
  language: EditorLanguage | null;
  label: string;
  onChange: (doc: string) => void;
  onSave: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const dark = useComputedColorScheme('light') === 'dark';
  const [cm, setCm] = useState<CM | null>(null);
  const view = useRef<import('@codemirror/view').EditorView | null>(null);
  const slots = useRef<{ theme: import('@codemirror/state').Compartment; lang: import('@codemirror/state').Compartment } | null>(null);
  const handlers = useRef({ onChange, onSave });
  handlers.current = { onChange, onSave };

  useEffect(() => {
    let live = true;
    void import('./codemirror').then((m) => live && setCm(m));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!cm || !host.current) return;
    let live = true;
    const themeSlot = new cm.Compartment();
    const languageSlot = new cm.Compartment();
    slots.current = { theme: themeSlot, lang: languageSlot };
    const v = cm.createEditor({
      parent: host.current,
      doc: initial,
      language: [],
      theme: cm.themeFor(dark),
      themeSlot,
      languageSlot,
      label,
      onChange: (d) => handlers.current.onChange(d),
      onSave: () => handlers.current.onSave(),
    });
    view.current = v;
    void cm.loadLanguage(language).then((ext) => live && v.dispatch({ effects: languageSlot.reconfigure(ext) }));
    return () => {
      live = false;
      v.destroy();
      view.current = null;
    };
    // Created once per loaded file; theme and language are reconfigured below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cm, initial]);

  useEffect(() => {
    if (cm && view.current && slots.current) view.current.dispatch({ effects: slots.current.theme.reconfigure(cm.themeFor(dark)) });
  }, [cm, dark]);

  useEffect(() => {
    if (!cm || !view.current || !slots.current) return;
    let live = true;
    const v = view.current;
    const slot = slots.current.lang;
    void cm.loadLanguage(language).then((ext) => live && v.dispatch({ effects: slot.reconfigure(ext) }));
    return () => {
      live = false;
    };
  }, [cm, language]);

  return (
    <Box
      ref={host}
      data-testid="code-editor"
      style={{ height: 'min(70vh, 640px)', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden' }}
    >
      {!cm && (
        <Center h="100%">
          <Loader aria-label={strings.files.loadingEditor} />
        </Center>
      )}
    </Box>
  );
}
