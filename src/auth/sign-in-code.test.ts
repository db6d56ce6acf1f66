import { describe, expect, it } from 'vitest';
import { type CodeRecord, type CodeStore, defineChallenge, hashCode, issueCode, verifyCode } from './sign-in-code.js';

/** The store as DynamoDB behaves: one item per user, a conditional delete that only one caller wins. */
function memoryStore(): CodeStore & { items: Map<string, CodeRecord> } {
  const items = new Map<string, CodeRecord>();
  return {
    items,
    get: async (u) => items.get(u.toLowerCase()),
    put: async (r) => void items.set(r.username, r),
    deleteIfHash: async (u, hash) => {
      const item = items.get(u.toLowerCase());
      if (item?.codeHash !== hash) return false;
      items.delete(u.toLowerCase());
      return true;
    },
    addWrongAnswer: async (u, hash) => {
      const item = items.get(u.toLowerCase());
      if (!item || item.codeHash !== hash) return 0;
      items.set(u.toLowerCase(), { ...item, wrongAnswers: item.wrongAnswers + 1 });
      return item.wrongAnswers + 1;
    },
  };
}

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const policy = { lifetimeMinutes: 12 * 60, perHour: 3 };
const fixed = (code: string) => () => code;
/** A clock stopped at an epoch millisecond. */
const at = (ms: number) => () => new Date(ms);

describe('one-time sign-in codes', () => {
  it('issues a random code kept only as a hash, valid for the configured lifetime (12 hours here)', async () => {
    const store = memoryStore();
    const issued = await issueCode(store, 'Ada@example.com', policy, at(T0));
    if (!('code' in issued)) throw new Error('refused');
    expect(issued.code).toMatch(/^\d{8}$/);
    expect(issued.expiresAt).toBe(T0 / 1000 + 12 * 3600);
    const stored = store.items.get('ada@example.com');
    expect(stored?.codeHash).toBe(hashCode('ada@example.com', issued.code));
    expect(JSON.stringify(stored)).not.toContain(issued.code);
  });

  it('accepts the code once, and refuses it the second time', async () => {
    const store = memoryStore();
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('12345678'));
    expect(await verifyCode(store, 'ada@example.com', '12345678', {}, at(T0 + 60_000))).toEqual({ ok: true });
    expect(await verifyCode(store, 'ada@example.com', '12345678', {}, at(T0 + 61_000))).toEqual({ ok: false, refused: 'no-code' });
  });

  it('lets only one of two simultaneous correct answers through', async () => {
    const store = memoryStore();
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('12345678'));
    const results = await Promise.all([
      verifyCode(store, 'ada@example.com', '12345678', {}, at(T0)),
      verifyCode(store, 'ada@example.com', '12345678', {}, at(T0)),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results).toContainEqual({ ok: false, refused: 'used' });
  });

  it('refuses a code after its expiry (past 8 hours is fine: it lasts 12)', async () => {
    const store = memoryStore();
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('12345678'));
    expect(await verifyCode(store, 'ada@example.com', '12345678', {}, at(T0 + 9 * 3600_000))).toEqual({ ok: true });
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('87654321'));
    expect(await verifyCode(store, 'ada@example.com', '87654321', {}, at(T0 + 12 * 3600_000))).toEqual({ ok: false, refused: 'expired' });
  });

  it("refuses another user's code: codes are bound to the user they were issued for", async () => {
    const store = memoryStore();
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('11111111'));
    await issueCode(store, 'ben@example.com', policy, at(T0), fixed('22222222'));
    expect(await verifyCode(store, 'ben@example.com', '11111111', {}, at(T0))).toEqual({ ok: false, refused: 'wrong' });
    expect(await verifyCode(store, 'ada@example.com', '11111111', {}, at(T0))).toEqual({ ok: true });
  });

  it('voids a code after too many wrong answers, even for the right one', async () => {
    const store = memoryStore();
    await issueCode(store, 'ada@example.com', policy, at(T0), fixed('12345678'));
    for (let i = 0; i < 4; i++) expect(await verifyCode(store, 'ada@example.com', '00000000', {}, at(T0))).toEqual({ ok: false, refused: 'wrong' });
    expect(await verifyCode(store, 'ada@example.com', '00000000', {}, at(T0))).toEqual({ ok: false, refused: 'too-many-wrong' });
    expect(await verifyCode(store, 'ada@example.com', '12345678', {}, at(T0))).toEqual({ ok: false, refused: 'too-many-wrong' });
  });

  it('rate-limits codes per user per hour, and opens again after the hour', async () => {
    const store = memoryStore();
    for (let i = 0; i < 3; i++) expect(await issueCode(store, 'ada@example.com', policy, at(T0 + i * 60_000))).toHaveProperty('code');
    expect(await issueCode(store, 'ada@example.com', policy, at(T0 + 10 * 60_000))).toEqual({ refused: 'rate-limited', retryAfterSeconds: 50 * 60 });
    // Another user is not affected.
    expect(await issueCode(store, 'ben@example.com', policy, at(T0 + 10 * 60_000))).toHaveProperty('code');
    expect(await issueCode(store, 'ada@example.com', policy, at(T0 + 61 * 60_000))).toHaveProperty('code');
  });
});

describe('the define-challenge state machine', () => {
  const step = (challengeResult: boolean) => ({ challengeName: 'CUSTOM_CHALLENGE', challengeResult });
  it('starts with a custom challenge, issues tokens after a right answer, allows three tries, and fails unknown users', () => {
    expect(defineChallenge([], false)).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(defineChallenge([step(false)], false)).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(defineChallenge([step(false), step(true)], false)).toEqual({ issueTokens: true, failAuthentication: false });
    expect(defineChallenge([step(false), step(false), step(false)], false)).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineChallenge([], true)).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineChallenge([{ challengeName: 'SRP_A', challengeResult: true }], false)).toEqual({ issueTokens: false, failAuthentication: true });
  });
});
