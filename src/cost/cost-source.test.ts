import { describe, expect, it } from 'vitest';
import { fetchMonth, sampleCostSource } from './cost-source.js';
import { buildStatements } from './statement.js';

const accounts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(100000000000 + i), environment: i === 0 ? 'prod' : `env-${i}` }));

describe('the sample cost source', () => {
  it('gives the same figures for the same month, and other figures for another month', async () => {
    const a = await fetchMonth(sampleCostSource(accounts(5)), '2026-10');
    const b = await fetchMonth(sampleCostSource(accounts(5)), '2026-10');
    const c = await fetchMonth(sampleCostSource(accounts(5)), '2026-09');
    expect(JSON.stringify(a.usagePages)).toBe(JSON.stringify(b.usagePages));
    expect(JSON.stringify(a.usagePages)).not.toBe(JSON.stringify(c.usagePages));
  });

  it('pages like Cost Explorer, and the pages add up to one statement per environment', async () => {
    const source = sampleCostSource(accounts(5), 10);
    const month = await fetchMonth(source, '2026-10');
    expect(month.usagePages.length).toBeGreaterThan(3);
    expect(month.usagePages.slice(0, -1).every((p) => p.NextPageToken)).toBe(true);
    const statements = buildStatements({ month: '2026-10', ...month, environments: new Map(accounts(5).map((a) => [a.id, a.environment])), sample: true });
    expect(statements).toHaveLength(5);
    expect(statements.every((s) => s.sample && s.totalCents === s.lines.reduce((n, l) => n + l.amountCents, 0))).toBe(true);
  });

  it('costs two grouped queries a month, following pages, not one query per account', async () => {
    const small = await fetchMonth(sampleCostSource(accounts(5), 100), '2026-10');
    const large = await fetchMonth(sampleCostSource(accounts(1000), 100), '2026-10');
    expect(small.requests).toBe(2);
    expect(large.requests).toBeLessThan(1000 / 5);
  });
});
