import {
  type CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  GetCostForecastCommand,
  type GetCostForecastCommandInput,
} from '@aws-sdk/client-cost-explorer';
import type { CostExplorerPage } from './statement.js';
import { monthPeriod } from './time.js';

/** The parts of a GetCostForecast answer Groundwork uses. */
export interface ForecastResult {
  readonly Total?: { readonly Amount?: string; readonly Unit?: string };
  readonly ForecastResultsByTime?: readonly {
    readonly TimePeriod?: { readonly Start?: string; readonly End?: string };
    readonly MeanValue?: string;
    readonly PredictionIntervalLowerBound?: string;
    readonly PredictionIntervalUpperBound?: string;
  }[];
}

/** Where cost data comes from: Cost Explorer on AWS, or generated sample data in the sandbox, behind one interface. */
export interface CostSource {
  /** True for generated sample data; everything that shows it says so. */
  readonly sample: boolean;
  getCostAndUsage(input: GetCostAndUsageCommandInput): Promise<CostExplorerPage>;
  getCostForecast(input: GetCostForecastCommandInput): Promise<ForecastResult>;
}

/** Cost Explorer itself (management account, us-east-1; each request costs $0.01). */
export function costExplorerSource(client: CostExplorerClient): CostSource {
  return {
    sample: false,
    getCostAndUsage: (input) => client.send(new GetCostAndUsageCommand(input)),
    getCostForecast: (input) => client.send(new GetCostForecastCommand(input)),
  };
}

/** Every page of one GetCostAndUsage query; `count` is told each request. */
export async function allPages(source: CostSource, input: GetCostAndUsageCommandInput, count: () => void = () => {}): Promise<CostExplorerPage[]> {
  const pages: CostExplorerPage[] = [];
  let token: string | undefined;
  do {
    const page = await source.getCostAndUsage({ ...input, NextPageToken: token });
    count();
    pages.push(page);
    token = page.NextPageToken;
  } while (token);
  return pages;
}

/** Credits and refunds: statements list them on their own lines, and cost views leave them out. */
export const CREDITS_AND_REFUNDS = { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Credit', 'Refund'] } };

/** The two grouped queries of one month, every page followed; returns the pages and how many requests they took. */
export async function fetchMonth(
  source: CostSource,
  month: string,
): Promise<{ usagePages: CostExplorerPage[]; adjustmentPages: CostExplorerPage[]; requests: number }> {
  const base = { TimePeriod: monthPeriod(month), Granularity: 'MONTHLY' as const };
  let requests = 0;
  const follow = (input: GetCostAndUsageCommandInput) => allPages(source, input, () => requests++);
  const usagePages = await follow({
    ...base,
    Metrics: ['UnblendedCost', 'UsageQuantity'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'SERVICE' },
    ],
    Filter: { Not: CREDITS_AND_REFUNDS },
  });
  const adjustmentPages = await follow({
    ...base,
    Metrics: ['UnblendedCost'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
    ],
    Filter: CREDITS_AND_REFUNDS,
  });
  return { usagePages, adjustmentPages, requests };
}
