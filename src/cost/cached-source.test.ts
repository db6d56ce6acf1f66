import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSED_PERIOD_TTL_MS, cachedCostSource, OPEN_PERIOD_TTL_MS, ttlFor } from './cached-source.js';
import type { CostSource } from './cost-source.js';

function countingSource(): CostSource & { calls: number } {
  const source = {
    sample: false,
    calls: 0,
    async getCostAndUsage() {
      source.calls++;
      return { ResultsByTime: [{ Groups: [{ Keys: ['1'], Metrics: { UnblendedCost: { Amount: String(source.calls), Unit: 'USD' } } }] }] };
    },
    async getCostForecast() {
      source.calls++;
      return { Total: { Amount: '1', Unit: 'USD' } };
    },
  };
  return source;
}

const october = { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Granularity: 'MONTHLY' as const, Metrics: ['UnblendedCost'] };
const november = { ...october, TimePeriod: { Start: '2026-11-01', End: '2026-11-25' } };

describe('the Cost Explorer cache', () => {
  it('keeps a closed month for 30 days and an open period for 6 hours', () => {
    expect(ttlFor('2026-11-01', '2026-11-25')).toBe(CLOSED_PERIOD_TTL_MS);
    // October is not final before 6 November.
    expect(ttlFor('2026-11-01', '2026-11-03')).toBe(OPEN_PERIOD_TTL_MS);
    expect(ttlFor('2026-11-25', '2026-11-25')).toBe(OPEN_PERIOD_TTL_MS);
  });

  it('answers a repeated request from disk, asks again when it is stale, and --refresh always asks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cache-'));
    const inner = countingSource();
    let now = new Date('2026-11-25T10:00:00Z');
    const cache = cachedCostSource(inner, { dir, now: () => now });
    const first = await cache.getCostAndUsage(november);
    expect(await cache.getCostAndUsage(november)).toEqual(first);
    await cache.getCostAndUsage(october);
    expect(inner.calls).toBe(2);
    expect(cache.stats).toEqual({ hits: 1, misses: 2, oldestFetchedAt: '2026-11-25T10:00:00.000Z' });
    // A new process sees the same files, and says how old the answer it used is.
    now = new Date('2026-11-25T12:00:00Z');
    const later = cachedCostSource(inner, { dir, now: () => now });
    expect(await later.getCostAndUsage(november)).toEqual(first);
    expect(later.stats.oldestFetchedAt).toBe('2026-11-25T10:00:00.000Z');
    now = new Date('2026-11-25T17:00:00Z');
    await cache.getCostAndUsage(november);
    await cache.getCostAndUsage(october);
    expect(inner.calls).toBe(3);
    await cachedCostSource(inner, { dir, now: () => now, refresh: true }).getCostAndUsage(october);
    expect(inner.calls).toBe(4);
    expect(readdirSync(dir).every((f) => f.endsWith('.json'))).toBe(true);
  });

  it('asks again when a cache file is damaged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cache-'));
    const inner = countingSource();
    const cache = cachedCostSource(inner, { dir, now: () => new Date('2026-11-25T10:00:00Z') });
    await cache.getCostForecast({ TimePeriod: { Start: '2026-11-25', End: '2026-12-01' }, Metric: 'UNBLENDED_COST', Granularity: 'MONTHLY' });
    for (const file of readdirSync(dir)) writeFileSync(join(dir, file), '{"fetchedAt":');
    await cache.getCostForecast({ TimePeriod: { Start: '2026-11-25', End: '2026-12-01' }, Metric: 'UNBLENDED_COST', Granularity: 'MONTHLY' });
    expect(inner.calls).toBe(2);
  });
});
