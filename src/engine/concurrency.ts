import { elapsedMs } from '../clock.js';

/**
 * Maps items with at most `limit` calls in flight, keeping order. On the first failure no new item starts; the calls
 * already in flight finish, and then the first error is thrown, so nothing is still writing once the caller reports it.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Polls `check` until it returns a value, waiting `intervalMs` between checks, up to `timeoutMs`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: { intervalMs: number; timeoutMs: number; onWait?: (elapsedMs: number) => void; what: string },
): Promise<T> {
  const started = elapsedMs();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const elapsed = elapsedMs() - started;
    if (elapsed > options.timeoutMs) throw new Error(`timed out after ${Math.round(elapsed / 1000)} s waiting for ${options.what}`);
    options.onWait?.(elapsed);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}
