import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import type { ClientFactory } from '../aws/client-factory.js';
import { seededRandom } from '../sandbox/seeded-random.js';
import type { CostExplorerPage } from './statement.js';

/** Where cost data comes from: Cost Explorer on AWS, or generated sample data in the sandbox, behind one interface. */
export interface CostSource {
  /** True for generated sample data; everything that shows it says so. */
  readonly sample: boolean;
  getCostAndUsage(input: GetCostAndUsageCommandInput): Promise<CostExplorerPage>;
}

/** Cost Explorer itself (management account; each request costs $0.01). */
export function costExplorerSource(clients: ClientFactory): CostSource {
  const client = clients.create(CostExplorerClient, { region: 'us-east-1' });
  return { sample: false, getCostAndUsage: (input) => client.send(new GetCostAndUsageCommand(input)) };
}

/** Services the sample draws from, with a typical monthly amount in USD. */
const SAMPLE_SERVICES: readonly [string, number][] = [
  ['Amazon Elastic Compute Cloud - Compute', 420],
  ['Amazon Elastic Container Service', 160],
  ['Amazon Relational Database Service', 310],
  ['Amazon Simple Storage Service', 45],
  ['Amazon CloudWatch', 38],
  ['AWS Key Management Service', 6],
  ['Amazon Virtual Private Cloud', 52],
  ['Elastic Load Balancing', 41],
  ['AWS CloudTrail', 9],
  ['Amazon Cognito', 12],
  ['AWS Lambda', 7],
  ['Amazon EC2 Container Registry (ECR)', 4],
];
const SCALE: Record<string, number> = { prod: 4, staging: 1.2, dev: 0.8, cicd: 0.6, 'log-archive': 0.3, management: 0.2 };

/**
 * Deterministic sample usage per account and service: the same month always gives the same figures. It answers the
 * same grouped GetCostAndUsage requests as Cost Explorer (LINKED_ACCOUNT with SERVICE, or with RECORD_TYPE), in pages.
 */
export function sampleCostSource(accounts: readonly { id: string; environment: string }[], pageSize = 25): CostSource {
  const rows = (month: string, byRecordType: boolean) => {
    const out: { keys: [string, string]; amount: string; quantity: string }[] = [];
    for (const account of accounts) {
      const next = seededRandom(Number(account.id.slice(-6)) * 100 + (Number(month.replace('-', '')) % 9973));
      const scale = SCALE[account.environment] ?? 1;
      if (byRecordType) {
        if (next() < 0.3) out.push({ keys: [account.id, 'Credit'], amount: (-(next() * 50 * scale)).toFixed(10), quantity: '0' });
        if (next() < 0.1) out.push({ keys: [account.id, 'Refund'], amount: (-(next() * 20)).toFixed(10), quantity: '0' });
        continue;
      }
      for (const [service, typical] of SAMPLE_SERVICES) {
        if (next() < 0.15) continue;
        const amount = typical * scale * (0.6 + next() * 0.8);
        out.push({ keys: [account.id, service], amount: amount.toFixed(10), quantity: (amount * (5 + next() * 20)).toFixed(4) });
      }
    }
    return out;
  };
  return {
    sample: true,
    async getCostAndUsage(input) {
      const month = (input.TimePeriod?.Start ?? '').slice(0, 7);
      const byRecordType = (input.GroupBy ?? []).some((g) => g.Key === 'RECORD_TYPE');
      const all = rows(month, byRecordType);
      const start = Number(input.NextPageToken ?? 0);
      const page = all.slice(start, start + pageSize);
      return {
        ResultsByTime: [
          {
            TimePeriod: input.TimePeriod,
            Groups: page.map((r) => ({
              Keys: r.keys,
              Metrics: { UnblendedCost: { Amount: r.amount, Unit: 'USD' }, UsageQuantity: { Amount: r.quantity, Unit: 'N/A' } },
            })),
          },
        ],
        NextPageToken: start + pageSize < all.length ? String(start + pageSize) : undefined,
      };
    },
  };
}

/** The two grouped queries of one month, every page followed; returns the pages and how many requests they took. */
export async function fetchMonth(
  source: CostSource,
  month: string,
): Promise<{ usagePages: CostExplorerPage[]; adjustmentPages: CostExplorerPage[]; requests: number }> {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const end = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
  const base = { TimePeriod: { Start: `${month}-01`, End: end }, Granularity: 'MONTHLY' as const };
  const creditsAndRefunds = { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Credit', 'Refund'] } };
  let requests = 0;
  const follow = async (input: GetCostAndUsageCommandInput) => {
    const pages: CostExplorerPage[] = [];
    let token: string | undefined;
    do {
      const page = await source.getCostAndUsage({ ...input, NextPageToken: token });
      requests++;
      pages.push(page);
      token = page.NextPageToken;
    } while (token);
    return pages;
  };
  const usagePages = await follow({
    ...base,
    Metrics: ['UnblendedCost', 'UsageQuantity'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'SERVICE' },
    ],
    Filter: { Not: creditsAndRefunds },
  });
  const adjustmentPages = await follow({
    ...base,
    Metrics: ['UnblendedCost'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
    ],
    Filter: creditsAndRefunds,
  });
  return { usagePages, adjustmentPages, requests };
}
