import { useCallback, useMemo, useState } from 'react';
import { Badge, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/client';
import { invalidate } from '../../../api/query';
import { PageHeader } from '../../../components/PageHeader';
import { FormError, QueryState } from '../../../components/QueryState';
import { basename, languageFor, normalize, parent, type EditorLanguage } from '../../../lib/paths';
import { Link, useSearchParams } from '../../../router';
import { strings } from '../../../strings';
import { NoPermission } from '../ServerLayout';
import { useServer } from '../ServerContext';
import { CodeEditor } from './CodeEditor';
import { filesApi } from './fileApi';

const LANGUAGES: EditorLanguage[] = ['json', 'yaml', 'xml', 'javascript', 'python', 'properties', 'shell', 'toml', 'lua'];

/** `/server/:id/files/edit?file=/path[&new=1]`: edit (or create) a text file. */
export default function FileEditPage() {
  const { id, base, can } = useServer();
  const search = useSearchParams();
  const file = normalize(search.get('file') ?? '/');
  const isNew = search.get('new') === '1';
  const api = useMemo(() => filesApi(base), [base]);
  const client = useQueryClient();
  const contents = useQuery({
    queryKey: ['file', base, file, isNew],
    queryFn: () => (isNew ? Promise.resolve('') : api.contents(file)),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
  const [doc, setDoc] = useState<string | null>(null);
  const [lang, setLang] = useState<EditorLanguage | null>(languageFor(file));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [savedOnce, setSavedOnce] = useState(false);
  // What the node holds now: the loaded text, then whatever was last saved.
  const [baseline, setBaseline] = useState<string | null>(null);
  const current = baseline ?? contents.data;
  const dirty = doc !== null && doc !== current;

  const save = useCallback(async () => {
    const text = doc ?? contents.data ?? '';
    setSaving(true);
    setSaveError(null);
    try {
      await api.write(file, text);
      setBaseline(text);
      setSavedOnce(true);
      notifications.show({ color: 'green', message: strings.files.savedFile });
      void invalidate(client, [`${base}/files/list`]);
    } catch (e) {
      setSaveError(e);
      notifications.show({ color: 'red', title: strings.common.errorTitle, message: errorMessage(e) });
    } finally {
      setSaving(false);
    }
  }, [doc, contents.data, api, file, client, base, isNew]);

  if (!can('file.read-content')) return <NoPermission />;
  const back = `/server/${id}/files?dir=${encodeURIComponent(parent(file))}`;
  return (
    <>
      <PageHeader
        title={basename(file) || file}
        description={<span className="aerie-mono">{file}</span>}
        actions={
          <>
            <Button component={Link} to={back} variant="default">
              {strings.files.backToFiles}
            </Button>
            {can(isNew ? 'file.create' : 'file.update') && (
              <Button onClick={() => void save()} loading={saving} disabled={!dirty && !isNew} data-testid="save-file">
                {strings.files.saveFile}
              </Button>
            )}
          </>
        }
      />
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            {dirty ? <Badge color="yellow">{strings.files.unsaved}</Badge> : savedOnce ? <Badge color="green" data-testid="file-saved">{strings.files.savedFile}</Badge> : null}
            <Text size="xs" c="dimmed">
              {strings.files.saveShortcut}
            </Text>
          </Group>
          <Select
            aria-label={strings.files.language}
            size="xs"
            w={160}
            value={lang ?? ''}
            data={[{ value: '', label: strings.files.plainText }, ...LANGUAGES.map((l) => ({ value: l, label: l }))]}
            onChange={(v) => setLang((v || null) as EditorLanguage | null)}
            allowDeselect={false}
          />
        </Group>
        <FormError error={saveError} />
        <QueryState query={contents}>
          {(text) => <CodeEditor initial={text} language={lang} label={strings.files.editing(file)} onChange={setDoc} onSave={() => void save()} />}
        </QueryState>
      </Stack>
    </>
  );
}
