/**
 * CodeMirror 6, loaded only when a file is opened: the editor, its dark/light themes and
 * a language per file type (each its own chunk).
 */
import { EditorView, basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { StreamLanguage } from '@codemirror/language';
import type { EditorLanguage } from '../../../lib/paths';

export { EditorView, EditorState, Compartment };

export async function loadLanguage(lang: EditorLanguage | null): Promise<Extension> {
  switch (lang) {
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'yaml':
      return (await import('@codemirror/lang-yaml')).yaml();
    case 'xml':
      return (await import('@codemirror/lang-xml')).xml();
    case 'javascript':
      return (await import('@codemirror/lang-javascript')).javascript();
    case 'python':
      return (await import('@codemirror/lang-python')).python();
    case 'properties':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/properties')).properties);
    case 'shell':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/shell')).shell);
    case 'toml':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/toml')).toml);
    case 'lua':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/lua')).lua);
    default:
      return [];
  }
}

const darkTheme = EditorView.theme(
  {
    '&': { backgroundColor: '#1a1b1e', color: '#d9d9d9' },
    '.cm-gutters': { backgroundColor: '#141517', color: '#6c6f75', border: 'none' },
    '.cm-activeLine': { backgroundColor: '#25262b80' },
    '.cm-activeLineGutter': { backgroundColor: '#25262b' },
    '&.cm-focused .cm-cursor': { borderLeftColor: '#d9d9d9' },
    '&.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: '#3b5bdb66' },
  },
  { dark: true },
);

export function themeFor(dark: boolean): Extension {
  return dark ? darkTheme : [];
}

export function createEditor(opts: {
  parent: HTMLElement;
  doc: string;
  language: Extension;
  theme: Extension;
  themeSlot: Compartment;
  languageSlot: Compartment;
  onChange: (doc: string) => void;
  onSave: () => void;
  label: string;
}): EditorView {
  return new EditorView({
    parent: opts.parent,
    state: EditorState.create({
      doc: opts.doc,
      extensions: [
        basicSetup,
        keymap.of([
          indentWithTab,
          {
            key: 'Mod-s',
            preventDefault: true,
            run: () => {
              opts.onSave();
              return true;
            },
          },
        ]),
        opts.languageSlot.of(opts.language),
        opts.themeSlot.of(opts.theme),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
        EditorView.theme({ '&': { height: '100%', fontSize: '13px' }, '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)' } }),
      ],
    }),
  });
}
