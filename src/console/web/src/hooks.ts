import { useCallback, useEffect, useState } from 'react';
import { getJson } from './api';

/** A GET's state: the data, the error, whether it is loading, and a way to load again. */
export interface Loaded<T> {
  readonly data?: T;
  readonly error?: Error;
  readonly loading: boolean;
  /** The path the data and error are for (a newer path's answer may still be on its way). */
  readonly path?: string;
  readonly reload: () => void;
}

/** Loads `path` (null: nothing to load) and again whenever it changes; a stale answer never replaces a newer one. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; path?: string }>({ loading: path !== null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // The generation is part of the key: reload() asks again for the same path.
  const key = path === null ? null : `${generation}|${path}`;
  useEffect(() => {
    if (key === null) return;
    const target = key.slice(key.indexOf('|') + 1);
    const controller = new AbortController();
    // Reloading the same path keeps its data on screen; another path's data is never shown for this one.
    setState((s) => ({ ...(s.path === target ? s : {}), loading: true, error: undefined, path: target }));
    getJson<T>(target, controller.signal).then(
      (data) => setState({ data, loading: false, path: target }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ error, loading: false, path: target });
      },
    );
    return () => controller.abort();
  }, [key]);
  return { ...state, reload };
}

/** Formats an ISO time in the viewer's locale, with the time zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "3 minutes ago": how old figures are. */
export function age(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} minute(s) ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} hour(s) ago`;
  return `${Math.round(seconds / 86_400)} day(s) ago`;
}
