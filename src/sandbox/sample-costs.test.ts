import { describe, expect, it } from 'vitest';
import { allPages, fetchMonth } from '../cost/cost-source.js';
import { decimalToCents } from '../cost/money.js';
import { buildStatements } from '../cost/statement.js';
import { sampleCostSource } from './sample-costs.js';

const accounts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(100000000000 + i), environment: i === 0 ? 'prod' : `env-${i}` }));
const TODAY = new Date('2026-11-25T10:00:00Z');
const source = (n = 5, pageSize = 25, today = TODAY) => sampleCostSource(accounts(n), { pageSize, today });

describe('the sample cost source', () => {
  it('gives the same figures for the same month whatever "today" is, and other figures for another month', async () => {
    const a = await fetchMonth(source(), '2026-10');
    const b = await fetchMonth(source(5, 25, new Date('2026-12-20T00:00:00Z')), '2026-10');
    const c = await fetchMonth(source(), '2026-09');
    expect(JSON.stringify(a.usagePages)).toBe(JSON.stringify(b.usagePages));
    expect(JSON.stringify(a.usagePages)).not.toBe(JSON.stringify(c.usagePages));
  });

  it('pages like Cost Explorer, and the pages add up to one statement per environment', async () => {
    const month = await fetchMonth(source(5, 10), '2026-10');
    expect(month.usagePages.length).toBeGreaterThan(3);
    expect(month.usagePages.slice(0, -1).every((p) => p.NextPageToken)).toBe(true);
    const statements = buildStatements({ month: '2026-10', ...month, environments: new Map(accounts(5).map((a) => [a.id, a.environment])), sample: true });
    expect(statements).toHaveLength(5);
    expect(statements.every((s) => s.sample && s.totalCents === s.lines.reduce((n, l) => n + l.amountCents, 0))).toBe(true);
  });

  it('costs two grouped queries a month, following pages, not one query per account', async () => {
    const small = await fetchMonth(source(5, 100), '2026-10');
    const large = await fetchMonth(source(1000, 100), '2026-10');
    expect(small.requests).toBe(2);
    expect(large.requests).toBeLessThan(1000 / 5);
  });

  it('covers 13 months up to yesterday: older months are unavailable, and the current month ends yesterday', async () => {
    const s = source();
    await expect(fetchMonth(s, '2025-11')).resolves.toBeDefined();
    await expect(fetchMonth(s, '2025-10')).rejects.toMatchObject({ name: 'DataUnavailableException' });
    const days = await allPages(s, {
      TimePeriod: { Start: '2026-11-01', End: '2026-12-01' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }],
    });
    const withCost = new Set(days.flatMap((p) => (p.ResultsByTime ?? []).filter((r) => (r.Groups ?? []).length > 0).map((r) => r.TimePeriod?.Start)));
    expect([...withCost].sort().at(-1)).toBe('2026-11-24');
    expect(withCost.size).toBe(24);
  });

  it('daily figures add up to the month, per service and usage type', async () => {
    const s = source(3, 1000);
    const query = async (granularity: 'DAILY' | 'MONTHLY') => {
      const pages = await allPages(s, {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Granularity: granularity,
        Metrics: ['UnblendedCost', 'UsageQuantity'],
        GroupBy: [
          { Type: 'DIMENSION', Key: 'SERVICE' },
          { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
        ],
        Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['100000000000'] } },
      });
      const sums = new Map<string, number>();
      for (const g of pages.flatMap((p) => (p.ResultsByTime ?? []).flatMap((r) => r.Groups ?? []))) {
        const key = (g.Keys ?? []).join(' / ');
        sums.set(key, (sums.get(key) ?? 0) + Number(g.Metrics?.UnblendedCost?.Amount));
      }
      return sums;
    };
    const daily = await query('DAILY');
    const monthly = await query('MONTHLY');
    expect([...monthly.keys()].sort()).toEqual([...daily.keys()].sort());
    expect([...monthly.keys()]).toContain('Amazon Elastic Compute Cloud - Compute / USE1-BoxUsage:t3.medium');
    for (const [key, amount] of monthly) expect(daily.get(key)).toBeCloseTo(amount, 6);
  });

  it('answers a query without GroupBy with totals, and honours Not filters', async () => {
    const s = source(2);
    const total = async (filter?: object) => {
      const [page] = await allPages(s, {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
        ...(filter ? { Filter: filter } : {}),
      });
      return decimalToCents(page?.ResultsByTime?.[0]?.Total?.UnblendedCost?.Amount ?? 'x');
    };
    const all = await total();
    const usage = await total({ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } });
    const adjustments = await total({ Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } });
    expect(usage).toBeGreaterThan(0);
    expect(Math.abs(all - (usage + adjustments))).toBeLessThanOrEqual(1);
  });

  it('forecasts the rest of the month from today, and refuses a forecast that starts in the past', async () => {
    const s = source();
    const forecast = await s.getCostForecast({ TimePeriod: { Start: '2026-11-25', End: '2026-12-01' }, Metric: 'UNBLENDED_COST', Granularity: 'MONTHLY' });
    const [period] = forecast.ForecastResultsByTime ?? [];
    expect(Number(forecast.Total?.Amount)).toBeGreaterThan(0);
    expect(Number(period?.PredictionIntervalLowerBound)).toBeLessThan(Number(period?.MeanValue));
    expect(Number(period?.PredictionIntervalUpperBound)).toBeGreaterThan(Number(period?.MeanValue));
    await expect(
      s.getCostForecast({ TimePeriod: { Start: '2026-11-01', End: '2026-12-01' }, Metric: 'UNBLENDED_COST', Granularity: 'MONTHLY' }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
