/** A kept read: call it for the value; the other methods change what is kept. */
export interface Memo<T> {
  (): Promise<T & { readonly asOf: string }>;
  /** Drops the kept value: the next call reads again and waits for it. */
  clear(): void;
  /** Reads again now and keeps the new value once it arrives; the old one is served meanwhile. */
  refresh(): Promise<void>;
  /** Changes the kept value in place (a change this server made, applied without reading everything again). */
  update(change: (value: T) => T): void;
}

/**
 * A read kept and shared by the requests that arrive meanwhile, with the time it was made (`asOf`), so the page can
 * say how old its figures are. Once older than `ttlMs` the kept value is still served at once while a new read runs
 * in the background (stale-while-revalidate): no request waits for a slow read but the very first. A failed read is
 * not kept.
 */
export function memo<T extends object>(read: () => Promise<T>, ttlMs: number, now: () => number = Date.now): Memo<T> {
  type Kept = T & { readonly asOf: string };
  let current: { at: number; value: Promise<Kept> } | undefined;
  let refreshing: Promise<void> | undefined;
  const start = () => {
    const at = now();
    return { at, value: read().then((v): Kept => ({ ...v, asOf: new Date(at).toISOString() })) };
  };
  const refresh = () => {
    if (refreshing) return refreshing;
    const next = start();
    refreshing = next.value.then(
      () => {
        current = next;
      },
      () => {},
    );
    refreshing.finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const get = () => {
    if (!current) {
      const first = start();
      current = first;
      first.value.catch(() => {
        if (current === first) current = undefined;
      });
      return first.value;
    }
    if (now() - current.at > ttlMs) void refresh();
    return current.value;
  };
  return Object.assign(get, {
    clear: () => {
      current = undefined;
    },
    refresh,
    update: (change: (value: T) => T) => {
      if (!current) return;
      const { at, value } = current;
      current = { at, value: value.then((v) => ({ ...change(v), asOf: v.asOf })) };
    },
  });
}
