import {
  createContext,
  useContext,
  useLayoutEffect,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

/**
 * A small History-API router: patterns with `:params`, links, search params and redirects.
 * A dependency would cost more bundle than these ~100 lines; the pages are code-split by
 * `React.lazy` in `routes.tsx`, not by the router.
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

const currentPath = () => window.location.pathname;
const currentSearch = () => window.location.search;

/** The current URL path (`/auth/login`). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

/** The current query string as URLSearchParams (re-rendered on every navigation). */
export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, currentSearch, () => '');
  return new URLSearchParams(search);
}

/** Goes to `to` (path and optional `?query`); `replace` swaps the current history entry. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath() + currentSearch()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** Renders nothing and replaces the current URL with `to`. */
export function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export type Params = Record<string, string>;

/**
 * Matches `path` against `pattern` (`/server/:id/files`). `prefix` also accepts longer
 * paths (`/server/abc/files/x` for `/server/:id`). Returns the decoded params or null.
 */
export function matchPath(pattern: string, path: string, prefix = false): Params | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (got.length < want.length || (!prefix && got.length !== want.length)) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

const ParamsContext = createContext<Params>({});

/** Provides the params of the matched route to the page below it. */
export function ParamsProvider({ params, children }: { params: Params; children: ReactNode }) {
  return <ParamsContext.Provider value={params}>{children}</ParamsContext.Provider>;
}

/** The `:params` of the matched route. */
export function useParams(): Params {
  return useContext(ParamsContext);
}

/** `useParams()[name]`, throwing when the route has no such param (a programming error). */
export function useParam(name: string): string {
  const v = useParams()[name];
  if (v === undefined) throw new Error(`route has no :${name}`);
  return v;
}

/** True for a plain left click that the router should handle (not ctrl/shift/middle). */
function isPlainClick(e: MouseEvent<HTMLAnchorElement>): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented;
}

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
}

/** An `<a>` that navigates without a reload; modified clicks open new tabs as usual. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={to}
      onClick={(e) => {
        onClick?.(e);
        if (isPlainClick(e) && (!rest.target || rest.target === '_self')) {
          e.preventDefault();
          navigate(to);
        }
      }}
      {...rest}
    />
  );
}
