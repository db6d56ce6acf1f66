import { describe, expect, it } from 'vitest';
import { mapLimit } from './concurrency.js';

describe('mapLimit', () => {
  it('keeps the order of results with calls in parallel', async () => {
    const results = await mapLimit([30, 10, 20], 3, async (ms, i) => {
      await new Promise((r) => setTimeout(r, ms));
      return i;
    });
    expect(results).toEqual([0, 1, 2]);
  });

  it('starts no new item after the first failure, and throws only once the calls in flight have finished', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const items = Array.from({ length: 50 }, (_, i) => i);
    const error = await mapLimit(items, 4, async (n) => {
      started.push(n);
      await new Promise((r) => setTimeout(r, n === 5 ? 1 : 20));
      if (n === 5) throw new Error('item 5 failed');
      finished.push(n);
      return n;
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe('item 5 failed');
    // Items 0-3 start first, 4 and 5 as slots free up; after 5 fails, nothing new starts.
    expect(Math.max(...started)).toBeLessThan(8);
    // Every call that started (but the failed one) had finished before the error reached the caller.
    expect(finished.sort((a, b) => a - b)).toEqual(started.filter((n) => n !== 5).sort((a, b) => a - b));
  });
});
