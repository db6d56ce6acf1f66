import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const lastMonth = (() => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
})();

describe('groundwork bills', () => {
  it('writes a readable, correctly totalled statement for prod, marked as sample', async () => {
    expect((await cli(['apply', '--yes', ...sandbox.at])).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'gw-bills-'));
    const run = await cli(['bills', '--month', lastMonth, '--env', 'prod', '--format', 'html', '--out', out, '--json', ...sandbox.at]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ month: lastMonth, sample: true });
    // Two grouped queries, their pages followed: a handful of requests, not one per account.
    expect(result.costExplorerRequests).toBeLessThanOrEqual(6);
    const html = readFileSync(join(out, `prod-${lastMonth}.html`), 'utf8');
    expect(html).toContain('SAMPLE DATA: generated figures for the sandbox, not AWS billing data.');
    const amounts = [
      ...html.matchAll(/<tr class="(?:usage|credit|refund)"><td>[^<]*<\/td><td class="num">[^<]*<\/td><td class="num">(-?\d+\.\d{2})<\/td><\/tr>/g),
    ].map((m) => Math.round(Number(m[1]) * 100));
    expect(amounts.length).toBeGreaterThan(5);
    const total = /<tfoot><tr><td>Total<\/td><td><\/td><td class="num">(-?\d+\.\d{2})<\/td>/.exec(html)?.[1];
    expect(Math.round(Number(total) * 100)).toBe(amounts.reduce((a, b) => a + b, 0));
    expect(result.statements[0].total).toBe(total);
  });

  it('writes every environment as CSV when no --env is given', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gw-bills-'));
    const result = JSON.parse((await cli(['bills', '--month', lastMonth, '--format', 'csv', '--out', out, '--json', ...sandbox.at])).stdout);
    expect(result.statements.map((s: { environment: string }) => s.environment).sort()).toEqual([
      'cicd',
      'dev',
      'log-archive',
      'management',
      'prod',
      'staging',
    ]);
  });

  it('rejects a malformed month, a month in the future, and an unknown environment', async () => {
    for (const [args, pattern] of [
      [['--month', '2026-13'], /"2026-13" is not a month/],
      [['--month', '2999-01'], /2999-01 is in the future/],
      [['--month', lastMonth, '--env', 'prd'], /unknown environment "prd"\nhint: did you mean "prod"\?/],
      [['--month', lastMonth, '--format', 'pdf'], /'pdf' is invalid/],
    ] as const) {
      const run = await cli(['bills', ...args, ...sandbox.at]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(pattern);
    }
  });
});
