import { Suspense, type ReactNode } from 'react';
import { Center, Loader } from '@mantine/core';
import { matchPath, ParamsProvider, usePath } from '../router';
import { strings } from '../strings';
import { NotFound } from './NotFound';

export type RouteTable = readonly (readonly [pattern: string, render: () => ReactNode])[];

/** Renders the first route whose pattern matches the current path exactly. */
export function Switch({ routes, fallback }: { routes: RouteTable; fallback?: ReactNode }) {
  const path = usePath();
  for (const [pattern, render] of routes) {
    const params = matchPath(pattern, path);
    if (params) {
      return (
        <ParamsProvider params={params}>
          <Suspense fallback={<PageLoader />}>{render()}</Suspense>
        </ParamsProvider>
      );
    }
  }
  return <>{fallback ?? <NotFound />}</>;
}

export function PageLoader() {
  return (
    <Center py={80}>
      <Loader aria-label={strings.app.loading} />
    </Center>
  );
}
