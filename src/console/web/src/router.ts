import { useEffect, useState } from 'react';

/** The page's location: path and query. Every page keeps its filters in the query, so a URL can be shared. */
export interface Route {
  readonly path: string;
  readonly params: URLSearchParams;
}

const current = (): Route => ({ path: window.location.pathname, params: new URLSearchParams(window.location.search) });
const listeners = new Set<() => void>();

/** Goes to a path with a query; `replace` keeps the history entry (typing in a filter). */
export function navigate(path: string, params: Record<string, string | undefined> = {}, replace = false): void {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const url = `${path}${query.size > 0 ? `?${query}` : ''}`;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** The current route; re-renders on navigation and on the browser's back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** The query of the route as a plain object, to change one filter and keep the others. */
export function paramsOf(route: Route): Record<string, string> {
  return Object.fromEntries(route.params.entries());
}
