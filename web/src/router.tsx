import { useLayoutEffect, useSyncExternalStore } from 'react';

/**
 * A tiny History-API router: the UI has few pages, so a dependency would cost more bundle
 * than it saves code. `navigate` changes the URL; `usePath` re-renders on every change
 * (including the browser's back and forward buttons).
 */
const CHANGE = 'aerie:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

function currentPath(): string {
  return window.location.pathname;
}

/** The current URL path (`/auth/login`). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

/** Goes to `to`; `replace` swaps the current history entry instead of adding one. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** Renders nothing and replaces the current URL with `to`. */
export function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
