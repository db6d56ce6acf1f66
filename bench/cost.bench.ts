import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedCostSource } from '../src/cost/cached-source.js';
import { costOverview } from '../src/cost/cost-report.js';
import { type CostSource, fetchMonth } from '../src/cost/cost-source.js';
import { statementToHtml } from '../src/cost/render-statement.js';
import { buildStatements, type CostExplorerPage } from '../src/cost/statement.js';
import { sampleCostSource } from '../src/sandbox/sample-costs.js';
import type { BenchResult } from './types.js';

/** A source answering like Cost Explorer for `accounts` × `services` groups, `pageSize` groups per page. */
function recordedSource(accounts: number, services: number, pageSize: number): CostSource {
  const groups = (byRecordType: boolean) =>
    byRecordType
      ? Array.from({ length: accounts }, (_, a) => ({
          Keys: [String(100000000000 + a), 'Credit'],
          Metrics: { UnblendedCost: { Amount: '-1.2345', Unit: 'USD' } },
        }))
      : Array.from({ length: accounts * services }, (_, i) => ({
          Keys: [String(100000000000 + Math.floor(i / services)), `Service ${i % services}`],
          Metrics: { UnblendedCost: { Amount: `${(i % 997) / 7}`, Unit: 'USD' }, UsageQuantity: { Amount: '12.5', Unit: 'Hrs' } },
        }));
  return {
    sample: false,
    getCostForecast: () => Promise.reject(new Error('the statement benchmark records no forecasts')),
    async getCostAndUsage(input): Promise<CostExplorerPage> {
      const all = groups((input.GroupBy ?? []).some((g) => g.Key === 'RECORD_TYPE'));
      const start = Number(input.NextPageToken ?? 0);
      return {
        ResultsByTime: [{ Groups: all.slice(start, start + pageSize) }],
        NextPageToken: start + pageSize < all.length ? String(start + pageSize) : undefined,
      };
    },
  };
}

/** Statements for 1,000 accounts × 150 services from recorded-shape responses, and Cost Explorer requests per month at 5 and 1,000 accounts. */
export async function costBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const environments = new Map(Array.from({ length: 1000 }, (_, a) => [String(100000000000 + a), `env-${a % 50}`]));
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  const month = await fetchMonth(recordedSource(1000, 150, 5000), '2026-10');
  const statements = buildStatements({ month: '2026-10', ...month, environments, sample: false });
  const html = statements.map(statementToHtml);
  const ms = performance.now() - started;
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  results.push({
    name: 'statements, 1,000 accounts × 150 services (150,000 groups) into 50 environments, HTML rendered',
    value: `${ms.toFixed(0)} ms, heap +${heapMb.toFixed(0)} MB, ${html.length} statements`,
    goal: 'seconds, not minutes',
    met: ms < 10_000,
  });
  for (const accounts of [5, 1000]) {
    // Cost Explorer pages grouped results; 5,000 groups a page is a conservative assumption for the count.
    const { requests } = await fetchMonth(recordedSource(accounts, 150, 5000), '2026-10');
    results.push({
      name: `Cost Explorer requests for one month, ${accounts} accounts × 150 services`,
      value: `${requests} ($${(requests * 0.01).toFixed(2)})`,
      goal: 'grouped queries, not one per account',
      met: requests < accounts || requests <= 2,
    });
  }
  results.push(...(await costViewBenchmark()));
  return results;
}

/** Requests per cost overview at 6 and 50 environments, from Cost Explorer and then from the cache; sample month generation time. */
async function costViewBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const today = new Date('2026-11-25T10:00:00Z');
  for (const [accounts, environmentCount] of [
    [6, 6],
    [1000, 50],
  ] as const) {
    const list = Array.from({ length: accounts }, (_, a) => ({ id: String(100000000000 + a), environment: `env-${a % environmentCount}` }));
    const environments = new Map(list.map((a) => [a.id, a.environment]));
    const dir = mkdtempSync(join(tmpdir(), 'gw-bench-cache-'));
    const cached = cachedCostSource(sampleCostSource(list, { today, pageSize: 5000 }), { dir, now: () => today });
    const started = performance.now();
    const first = await costOverview({ source: cached, environments, today });
    const ms = performance.now() - started;
    await costOverview({ source: cached, environments, today });
    results.push({
      name: `groundwork costs overview, ${accounts} accounts in ${environmentCount} environments: Cost Explorer requests, then again within 6 h`,
      value: `${first.requests} requests ($${(first.requests * 0.01).toFixed(2)}), then ${cached.stats.misses - first.requests} (${cached.stats.hits} from the cache); ${ms.toFixed(0)} ms with sample data`,
      goal: 'two grouped queries plus one forecast per environment; nothing repeated within 6 h',
      met: first.requests === 2 + environmentCount && cached.stats.misses === first.requests,
    });
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
