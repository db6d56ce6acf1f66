/**
 * Spaces calls to at most `perSecond`, shared by every caller of `acquire` (a quota is per account, not per worker).
 * Each caller gets the next free slot; a slot in the past is taken at once.
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
  const interval = 1000 / perSecond;
  let next = 0;
  return async function acquire(): Promise<void> {
    const at = Math.max(now(), next);
    next = at + interval;
    const wait = at - now();
    if (wait > 0) await sleep(wait);
  };
}
