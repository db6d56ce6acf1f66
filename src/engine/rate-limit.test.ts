import { describe, expect, it } from 'vitest';
import { rateLimiter } from './rate-limit.js';

describe('rateLimiter', () => {
  it('spaces calls to the rate across every caller, and lets a late caller through at once', async () => {
    let clock = 0;
    const waits: number[] = [];
    const acquire = rateLimiter(
      40,
      () => clock,
      async (ms) => {
        waits.push(ms);
      },
    );
    await Promise.all([acquire(), acquire(), acquire(), acquire()]);
    expect(waits).toEqual([25, 50, 75]);
    clock = 10_000;
    await acquire();
    expect(waits).toHaveLength(3);
  });
});
