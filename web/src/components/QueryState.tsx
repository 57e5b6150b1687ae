import type { ReactNode } from 'react';
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { errorMessage } from '../api/client';
import { strings } from '../strings';

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/**
 * Renders `children(data)` once a query has data; a loader while it loads; the panel's own
 * error message with a retry button when it failed.
 */
export function QueryState<T>({ query, children }: { query: QueryLike<T>; children: (data: T) => ReactNode }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <Center py="xl">
      <Loader aria-label={strings.app.loading} />
    </Center>
  );
}

/** An error from the panel: its `detail` sentence, never a generic one. */
export function ErrorAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <Alert color="red" variant="light" title={title ?? strings.common.loadFailed} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="default" onClick={onRetry}>
            {strings.common.retry}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/** Inline error under a form: nothing when `error` is null. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={strings.common.errorTitle} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}
