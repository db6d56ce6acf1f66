import { describe, expect, it } from 'vitest';
import { sampleCostSource } from '../sandbox/sample-costs.js';
import { costBreakdown, costOverview } from './cost-report.js';
import { fetchMonth } from './cost-source.js';
import { buildStatements } from './statement.js';

const ACCOUNTS = [
  { id: '111111111111', environment: 'management' },
  { id: '222222222222', environment: 'prod' },
  { id: '333333333333', environment: 'prod' },
  { id: '444444444444', environment: 'dev' },
];
const environments = new Map(ACCOUNTS.map((a) => [a.id, a.environment]));
const today = new Date('2026-11-25T10:00:00Z');
const inputs = () => ({ source: sampleCostSource(ACCOUNTS, { today, pageSize: 1000 }), environments, today });

describe('the cost overview', () => {
  it('gives month to date, last month and a forecast per environment, in 2 queries and 1 forecast per environment', async () => {
    const overview = await costOverview(inputs(), new Map([['prod', 2000]]));
    expect(overview).toMatchObject({ month: '2026-11', dataThrough: '2026-11-24', currency: 'USD', sample: true, requests: 2 + 3 });
    const prod = overview.environments.find((e) => e.environment === 'prod');
    expect(prod?.accountIds).toEqual(['222222222222', '333333333333']);
    expect(prod?.monthToDate.cents).toBeGreaterThan(0);
    expect(prod?.forecastMonthEnd?.cents).toBeGreaterThan(prod?.monthToDate.cents ?? 0);
    expect(prod?.forecastMonthEnd?.low.cents).toBeLessThan(prod?.forecastMonthEnd?.cents ?? 0);
    expect(prod?.budgetUsd).toBe(2000);
    expect(prod?.percentOfBudget).toBe(Math.round((prod?.forecastMonthEnd?.cents ?? 0) / 2000));
    expect(overview.environments.find((e) => e.environment === 'dev')?.budgetUsd).toBeUndefined();
  });

  it("agrees with last month's statements, credits and refunds left out", async () => {
    const overview = await costOverview(inputs());
    const month = await fetchMonth(sampleCostSource(ACCOUNTS, { today }), '2026-10');
    const statements = buildStatements({ month: '2026-10', ...month, environments, sample: true });
    for (const env of overview.environments) {
      const usage = statements.find((s) => s.environment === env.environment)?.lines.filter((l) => l.kind === 'usage') ?? [];
      // Rounded per account there, per service here: at most a cent per line apart.
      expect(Math.abs(env.lastMonth.cents - usage.reduce((n, l) => n + l.amountCents, 0))).toBeLessThanOrEqual(usage.length);
    }
  });

  it('says why there is no forecast when Cost Explorer has too little history', async () => {
    const source = {
      ...sampleCostSource(ACCOUNTS, { today }),
      getCostForecast: () => Promise.reject(Object.assign(new Error('Insufficient amount of historical data'), { name: 'DataUnavailableException' })),
    };
    const overview = await costOverview({ source, environments, today });
    expect(overview.environments[0]?.forecastMonthEnd).toBeUndefined();
    expect(overview.environments[0]?.forecastUnavailable).toBe('Insufficient amount of historical data');
  });

  it('on the 1st of a month has nothing to date, and asks nothing for it', async () => {
    const first = new Date('2026-11-01T08:00:00Z');
    const overview = await costOverview({ source: sampleCostSource(ACCOUNTS, { today: first }), environments, today: first });
    expect(overview.environments.every((e) => e.monthToDate.cents === 0)).toBe(true);
    expect(overview.requests).toBe(1 + 3);
  });
});

describe('drilling down', () => {
  it('by service: one query for every environment, largest first, totals equal the items', async () => {
    const breakdown = await costBreakdown(inputs(), { month: '2026-10', by: 'service' });
    expect(breakdown).toMatchObject({ from: '2026-10-01', to: '2026-11-01', requests: 1, sample: true });
    expect(breakdown.environments.map((e) => e.environment).sort()).toEqual(['dev', 'management', 'prod']);
    for (const env of breakdown.environments) {
      expect(env.total.cents).toBe(env.items.reduce((n, i) => n + i.cents, 0));
      expect(env.items.map((i) => i.cents)).toEqual([...env.items.map((i) => i.cents)].sort((a, b) => b - a));
    }
    const prod = breakdown.environments.find((e) => e.environment === 'prod')?.items ?? [];
    expect(prod.map((i) => i.service)).toContain('Amazon Elastic Compute Cloud - Compute');
    // A service mixes units (hours, GB-months), so it has no one usage quantity; its usage types do.
    expect(prod.find((i) => i.service === 'Amazon Elastic Compute Cloud - Compute')?.usageQuantity).toBeUndefined();
  });

  it('by usage type: environment → service → usage type, and the same total as by service', async () => {
    const byType = await costBreakdown(inputs(), { month: '2026-10', by: 'usage-type', environment: 'prod' });
    const byService = await costBreakdown(inputs(), { month: '2026-10', by: 'service', environment: 'prod' });
    expect(byType.environments).toHaveLength(1);
    const items = byType.environments[0]?.items ?? [];
    expect(items.find((i) => i.usageType === 'USE1-BoxUsage:t3.medium')).toMatchObject({ service: 'Amazon Elastic Compute Cloud - Compute', usageUnit: 'Hrs' });
    // Services stay together.
    const order = items.map((i) => i.service);
    expect(order.filter((s, i) => s !== order[i - 1]).length).toBe(new Set(order).size);
    expect(Math.abs((byType.environments[0]?.total.cents ?? 0) - (byService.environments[0]?.total.cents ?? 0))).toBeLessThanOrEqual(items.length);
  });

  it('by day: every day of the current month up to yesterday, in order', async () => {
    const breakdown = await costBreakdown(inputs(), { month: '2026-11', by: 'day', environment: 'dev' });
    expect(breakdown.to).toBe('2026-11-25');
    const days = breakdown.environments[0]?.items.map((i) => i.date);
    expect(days).toHaveLength(24);
    expect(days?.[0]).toBe('2026-11-01');
    expect(days?.at(-1)).toBe('2026-11-24');
    expect(breakdown.environments[0]?.items.every((i) => i.cents > 0)).toBe(true);
  });
});
