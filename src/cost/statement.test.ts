import { describe, expect, it } from 'vitest';
import { decimalToCents, formatCents } from './money.js';
import { statementToCsv, statementToHtml } from './render-statement.js';
import { buildStatements, type CostExplorerPage } from './statement.js';

const environments = new Map([
  ['111111111111', 'prod'],
  ['222222222222', 'staging'],
  ['333333333333', 'dev'],
]);
const group = (account: string, key: string, amount: string, quantity?: string) => ({
  Keys: [account, key],
  Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' }, ...(quantity ? { UsageQuantity: { Amount: quantity, Unit: 'N/A' } } : {}) },
});
// Recorded shape of two pages of GetCostAndUsage grouped by LINKED_ACCOUNT and SERVICE.
const usagePages: CostExplorerPage[] = [
  {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Groups: [
          group('111111111111', 'Amazon Elastic Compute Cloud - Compute', '1234.5678', '744'),
          group('111111111111', 'Amazon Simple Storage Service', '0.005', '12'),
        ],
      },
    ],
    NextPageToken: 'page-2',
  },
  {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Groups: [
          group('111111111111', 'AWS Key Management Service', '0.005'),
          group('111111111111', 'Amazon CloudWatch', '0.005'),
          group('222222222222', 'Amazon Simple Storage Service', '10.104'),
        ],
      },
    ],
  },
];
const adjustmentPages: CostExplorerPage[] = [
  {
    ResultsByTime: [
      { Groups: [group('111111111111', 'Credit', '-100.00'), group('111111111111', 'Refund', '-5.555'), group('222222222222', 'Credit', '-0.001')] },
    ],
  },
];

describe('money', () => {
  it('rounds decimal strings half away from zero, to the cent, without floating point', () => {
    expect(decimalToCents('1234.5678')).toBe(123457);
    expect(decimalToCents('0.005')).toBe(1);
    expect(decimalToCents('0.0049999')).toBe(0);
    expect(decimalToCents('-5.555')).toBe(-556);
    expect(decimalToCents('-0.001')).toBe(0);
    expect(decimalToCents('1.2E-3')).toBe(0);
    expect(formatCents(-5)).toBe('-0.05');
  });
});

describe('monthly statements', () => {
  const statements = buildStatements({ month: '2026-10', usagePages, adjustmentPages, environments, sample: false });
  const prod = statements.find((s) => s.environment === 'prod');

  it('itemizes every service over every page, largest first (equal amounts by name)', () => {
    expect(prod?.lines.filter((l) => l.kind === 'usage').map((l) => [l.description, l.amount])).toEqual([
      ['Amazon Elastic Compute Cloud - Compute', '1234.57'],
      ['Amazon CloudWatch', '0.01'],
      ['Amazon Simple Storage Service', '0.01'],
      ['AWS Key Management Service', '0.01'],
    ]);
    expect(prod?.lines[0]).toMatchObject({ usageQuantity: '744.00' });
  });

  it('shows credits and refunds as their own negative lines', () => {
    expect(prod?.lines.filter((l) => l.kind !== 'usage').map((l) => [l.description, l.amount])).toEqual([
      ['Credits', '-100.00'],
      ['Refunds', '-5.56'],
    ]);
  });

  it('totals exactly the sum of the lines, to the cent', () => {
    expect(prod?.total).toBe('1129.04');
    for (const s of statements) expect(s.totalCents).toBe(s.lines.reduce((sum, l) => sum + l.amountCents, 0));
  });

  it('gives an environment with no usage a valid zero statement, in the currency', () => {
    expect(statements.find((s) => s.environment === 'dev')).toEqual({
      environment: 'dev',
      month: '2026-10',
      currency: 'USD',
      accountIds: ['333333333333'],
      lines: [],
      totalCents: 0,
      total: '0.00',
      sample: false,
    });
  });

  it('drops a credit that rounds to nothing', () => {
    expect(statements.find((s) => s.environment === 'staging')?.lines.map((l) => l.description)).toEqual(['Amazon Simple Storage Service']);
  });

  it('refuses mixed currencies', () => {
    const eur: CostExplorerPage[] = [
      { ResultsByTime: [{ Groups: [{ Keys: ['111111111111', 'X'], Metrics: { UnblendedCost: { Amount: '1', Unit: 'EUR' } } }] }] },
    ];
    expect(() => buildStatements({ month: '2026-10', usagePages: [...usagePages, ...eur], adjustmentPages: [], environments, sample: false })).toThrow(
      /several currencies \(USD, EUR\)/,
    );
  });
});

describe('rendering a statement', () => {
  const [prod] = buildStatements({ month: '2026-10', usagePages, adjustmentPages, environments: new Map([['111111111111', 'prod']]), sample: true });
  if (!prod) throw new Error('no statement');

  it('writes CSV with a total row, and says sample data first', () => {
    const csv = statementToCsv(prod).split('\n');
    expect(csv[0]).toMatch(/^"SAMPLE DATA: generated figures for the sandbox, not AWS billing data\."$/);
    expect(csv[1]).toBe('environment,month,description,kind,usage_quantity,usage_unit,amount_USD');
    expect(csv).toContain('prod,2026-10,Total,total,,,1129.04');
  });

  it('quotes commas, quotes and line breaks in a field as RFC 4180 says', () => {
    const csv = statementToCsv({ ...prod, lines: [{ description: 'Tax, "VAT"\r\nEU', kind: 'usage', amountCents: 100, amount: '1.00' }] });
    expect(csv).toContain('prod,2026-10,"Tax, ""VAT""\r\nEU",usage,,,1.00\n');
  });

  it('writes a readable HTML page marked as sample, with escaped text', () => {
    const html = statementToHtml({ ...prod, lines: [...prod.lines, { description: '<script>x</script>', kind: 'usage', amountCents: 0, amount: '0.00' }] });
    expect(html).toContain('<p class="sample">SAMPLE DATA');
    expect(html).toContain('<td>Amazon Elastic Compute Cloud - Compute</td>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toMatch(/<tfoot><tr><td>Total<\/td><td><\/td><td class="num">1129.04<\/td>/);
  });
});
