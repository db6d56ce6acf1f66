import { describe, expect, it } from 'vitest';
import { memo } from './memo.js';

describe('memo', () => {
  it('reads once for concurrent callers, serves the kept value past its age while one new read runs, and says when it was read', async () => {
    let clock = 0;
    let reads = 0;
    let release: () => void = () => {};
    const kept = memo(
      async () => {
        reads++;
        if (reads === 2) await new Promise<void>((r) => (release = r));
        return { n: reads };
      },
      1000,
      () => clock,
    );
    const [a, b] = await Promise.all([kept(), kept()]);
    expect(a).toEqual({ n: 1, asOf: new Date(0).toISOString() });
    expect(b).toBe(a);
    clock = 1500;
    expect(await kept()).toMatchObject({ n: 1 }); // stale, served at once; a new read started
    expect(await kept()).toMatchObject({ n: 1 });
    expect(reads).toBe(2);
    release();
    await kept.refresh();
    expect(await kept()).toEqual({ n: 2, asOf: new Date(1500).toISOString() });
  });

  it('applies a change in place, keeps no failed read, and reads again after clear()', async () => {
    let fail = true;
    const kept = memo(async () => {
      if (fail) throw new Error('down');
      return { users: ['ana'] };
    }, 1000);
    await expect(kept()).rejects.toThrow('down');
    fail = false;
    expect((await kept()).users).toEqual(['ana']);
    kept.update((v) => ({ users: [...v.users, 'ben'] }));
    expect((await kept()).users).toEqual(['ana', 'ben']);
    kept.clear();
    expect((await kept()).users).toEqual(['ana']);
  });
});
