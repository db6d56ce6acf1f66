/** A kept read: call it for the value; `clear()` drops it so the next call reads again. */
export interface Memo<T> {
  (): Promise<T & { readonly asOf: string }>;
  clear(): void;
}

/**
 * A read kept for `ttlMs` and shared by the requests that arrive meanwhile, with the time it was made (`asOf`), so
 * the page can say how old its figures are. A failed read is not kept.
 */
export function memo<T extends object>(read: () => Promise<T>, ttlMs: number, now: () => number = Date.now): Memo<T> {
  let cached: { at: number; value: Promise<T & { readonly asOf: string }> } | undefined;
  const get = () => {
    if (!cached || now() - cached.at > ttlMs) {
      const at = now();
      const value = read().then((v) => ({ ...v, asOf: new Date(at).toISOString() }));
      cached = { at, value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
  return Object.assign(get, {
    clear: () => {
      cached = undefined;
    },
  });
}
