import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parseDuration, queryFingerprint, validateQuery } from './audit-filter.js';

const from = new Date('2026-11-01T00:00:00Z');
const to = new Date('2026-11-02T00:00:00Z');

describe('validateQuery', () => {
  it('refuses a window that starts after it ends', () => {
    expect(() => validateQuery({ from: to, to: from })).toThrow(/starts \(2026-11-02T00:00:00.000Z\) after it ends/);
  });
  it('refuses a window longer than 400 days', () => {
    expect(() => validateQuery({ from: new Date('2024-01-01T00:00:00Z'), to })).toThrow(/covers \d+ days; at most 400/);
  });
  it('refuses limits outside 1-1000', () => {
    for (const limit of [0, 1001, 2.5]) expect(() => validateQuery({ from, to, limit })).toThrow(/limit .* is out of range/);
    expect(validateQuery({ from, to })).toBe(50);
  });
  it('refuses a malformed cursor, and one from other filters', () => {
    expect(() => validateQuery({ from, to, cursor: 'not-a-cursor' })).toThrow(/the cursor "not-a-cursor" is malformed/);
    const cursor = encodeCursor({
      before: to.toISOString(),
      afterId: 'x',
      from: from.toISOString(),
      to: to.toISOString(),
      query: queryFingerprint({ from, to, eventNames: ['A'] }),
    });
    expect(() => validateQuery({ from, to, eventNames: ['B'], cursor })).toThrow(/belongs to a search with other filters/);
    expect(decodeCursor(cursor, { from, to, eventNames: ['A'] }).afterId).toBe('x');
  });
});

describe('queryFingerprint', () => {
  const base = { from, to, accounts: ['111111111111'], principals: ['ana'], eventNames: ['CreateAccount'], services: ['organizations'] };

  it('differs when only the account, event, user or errors filter differs', () => {
    const variants = [
      base,
      { ...base, accounts: ['222222222222'] },
      { ...base, eventNames: ['CloseAccount'] },
      { ...base, principals: ['ben'] },
      { ...base, errorsOnly: true },
    ];
    const prints = variants.map(queryFingerprint);
    expect(new Set(prints).size).toBe(variants.length);
  });

  it('is the same for the same filters in another order, and ignores the window, limit and cursor', () => {
    const reordered = { services: ['organizations'], eventNames: ['CreateAccount'], principals: ['ana'], accounts: ['111111111111'], from, to };
    expect(queryFingerprint(reordered)).toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, accounts: ['111111111111', '111111111111'] })).toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, from: to, limit: 5, cursor: 'x', errorsOnly: false })).toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, principals: [] })).toBe(queryFingerprint({ ...base, principals: undefined }));
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(() => parseDuration('soon')).toThrow(/"soon" is not a duration/);
  });
});
