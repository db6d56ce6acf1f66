import type { Expression, GetCostAndUsageCommandInput, GetCostForecastCommandInput } from '@aws-sdk/client-cost-explorer';
import { systemClock } from '../clock.js';
import type { CostSource, ForecastResult } from '../cost/cost-source.js';
import type { CostExplorerPage } from '../cost/statement.js';
import { addDays, isoDate, monthStart } from '../cost/time.js';
import { seededRandom } from './seeded-random.js';

/** One usage type of a sample service: its share of the service's cost, unit price and unit. */
interface SampleUsageType {
  readonly name: string;
  readonly share: number;
  readonly price: number;
  readonly unit: string;
}

/** Services the sample draws from, with a typical monthly amount in USD and their usage types. */
const SAMPLE_SERVICES: readonly { readonly name: string; readonly monthlyUsd: number; readonly usageTypes: readonly SampleUsageType[] }[] = [
  {
    name: 'Amazon Elastic Compute Cloud - Compute',
    monthlyUsd: 420,
    usageTypes: [
      { name: 'USE1-BoxUsage:t3.medium', share: 0.45, price: 0.0416, unit: 'Hrs' },
      { name: 'USE1-BoxUsage:m6i.large', share: 0.4, price: 0.096, unit: 'Hrs' },
      { name: 'USE1-EBS:VolumeUsage.gp3', share: 0.15, price: 0.08, unit: 'GB-Mo' },
    ],
  },
  {
    name: 'Amazon Elastic Container Service',
    monthlyUsd: 160,
    usageTypes: [
      { name: 'USE1-Fargate-vCPU-Hours:perCPU', share: 0.8, price: 0.04048, unit: 'Hrs' },
      { name: 'USE1-Fargate-GB-Hours', share: 0.2, price: 0.004445, unit: 'GB-Hours' },
    ],
  },
  {
    name: 'Amazon Relational Database Service',
    monthlyUsd: 310,
    usageTypes: [
      { name: 'USE1-InstanceUsage:db.t4g.medium', share: 0.75, price: 0.065, unit: 'Hrs' },
      { name: 'USE1-RDS:GP3-Storage', share: 0.25, price: 0.115, unit: 'GB-Mo' },
    ],
  },
  {
    name: 'Amazon Simple Storage Service',
    monthlyUsd: 45,
    usageTypes: [
      { name: 'USE1-TimedStorage-ByteHrs', share: 0.7, price: 0.023, unit: 'GB-Mo' },
      { name: 'USE1-Requests-Tier1', share: 0.3, price: 0.000005, unit: 'Requests' },
    ],
  },
  {
    name: 'Amazon CloudWatch',
    monthlyUsd: 38,
    usageTypes: [
      { name: 'USE1-DataProcessing-Bytes', share: 0.6, price: 0.5, unit: 'GB' },
      { name: 'USE1-CW:MetricMonitorUsage', share: 0.4, price: 0.3, unit: 'Metrics' },
    ],
  },
  { name: 'AWS Key Management Service', monthlyUsd: 6, usageTypes: [{ name: 'USE1-KMS-Keys', share: 1, price: 1, unit: 'Keys' }] },
  {
    name: 'Amazon Virtual Private Cloud',
    monthlyUsd: 52,
    usageTypes: [
      { name: 'USE1-NatGateway-Hours', share: 0.7, price: 0.045, unit: 'Hrs' },
      { name: 'USE1-NatGateway-Bytes', share: 0.3, price: 0.045, unit: 'GB' },
    ],
  },
  {
    name: 'Elastic Load Balancing',
    monthlyUsd: 41,
    usageTypes: [
      { name: 'USE1-LoadBalancerUsage', share: 0.55, price: 0.0225, unit: 'Hrs' },
      { name: 'USE1-LCUUsage', share: 0.45, price: 0.008, unit: 'LCU-Hrs' },
    ],
  },
  { name: 'AWS CloudTrail', monthlyUsd: 9, usageTypes: [{ name: 'USE1-PaidEventsRecorded', share: 1, price: 0.00001, unit: 'Events' }] },
  { name: 'Amazon Cognito', monthlyUsd: 12, usageTypes: [{ name: 'USE1-CognitoUserPoolsMAU', share: 1, price: 0.0055, unit: 'MAU' }] },
  {
    name: 'AWS Lambda',
    monthlyUsd: 7,
    usageTypes: [
      { name: 'USE1-Lambda-GB-Second', share: 0.8, price: 0.0000166667, unit: 'Lambda-GB-Second' },
      { name: 'USE1-Request', share: 0.2, price: 0.0000002, unit: 'Requests' },
    ],
  },
  { name: 'Amazon EC2 Container Registry (ECR)', monthlyUsd: 4, usageTypes: [{ name: 'USE1-TimedStorage-ByteHrs', share: 1, price: 0.1, unit: 'GB-Mo' }] },
];
/** Environment sizes relative to the services' typical amounts; the default budgets fit them, dev only just. */
const SCALE: Record<string, number> = { prod: 1.3, staging: 0.35, dev: 0.6, cicd: 0.15, 'log-archive': 0.07, management: 0.2 };
const GROUP_DIMENSIONS = ['LINKED_ACCOUNT', 'SERVICE', 'USAGE_TYPE', 'RECORD_TYPE'] as const;
type Dimension = (typeof GROUP_DIMENSIONS)[number];
type SampleRecord = Record<Dimension, string> & { amount: number; quantity: number; unit: string };

/** How many months the sample covers, the current one included (Cost Explorer keeps 13 by default). */
export const SAMPLE_MONTHS = 13;

/** A stable number in [0, 1) for a key. */
function chance(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return seededRandom(hash)();
}

/** An error shaped like the SDK's, so callers handle the sample and Cost Explorer alike. */
function awsLikeError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

/** The sample ledger of one account and one day: usage per service and usage type, and the month's credit or refund on the 1st. */
function recordsOf(account: { id: string; environment: string }, day: string): SampleRecord[] {
  const scale = SCALE[account.environment] ?? 1;
  const accountFactor = 0.7 + chance(`account:${account.id}`) * 0.6;
  const [year, month] = day.split('-').map(Number) as [number, number];
  // About 1.2% growth a month, the same for any "today".
  const trend = 1.012 ** (year * 12 + month - (2026 * 12 + 1));
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? (account.environment === 'prod' ? 0.9 : 0.65) : 1;
  const out: SampleRecord[] = [];
  for (const service of SAMPLE_SERVICES) {
    // Some accounts never use some services; the choice is stable across months.
    if (chance(`uses:${account.id}:${service.name}`) < 0.15) continue;
    for (const usage of service.usageTypes) {
      const noise = 0.8 + chance(`${account.id}:${usage.name}:${service.name}:${day}`) * 0.4;
      const amount = ((service.monthlyUsd * usage.share * scale * accountFactor) / 30.4) * trend * weekend * noise;
      out.push({
        LINKED_ACCOUNT: account.id,
        SERVICE: service.name,
        USAGE_TYPE: usage.name,
        RECORD_TYPE: 'Usage',
        amount,
        quantity: amount / usage.price,
        unit: usage.unit,
      });
    }
  }
  if (day.endsWith('-01')) {
    const monthKey = day.slice(0, 7);
    if (chance(`credit:${account.id}:${monthKey}`) < 0.3) {
      out.push({
        LINKED_ACCOUNT: account.id,
        SERVICE: 'Amazon Elastic Compute Cloud - Compute',
        USAGE_TYPE: 'USE1-Credit',
        RECORD_TYPE: 'Credit',
        amount: -(chance(`credit-amount:${account.id}:${monthKey}`) * 50 * scale),
        quantity: 0,
        unit: 'N/A',
      });
    }
    if (chance(`refund:${account.id}:${monthKey}`) < 0.1) {
      out.push({
        LINKED_ACCOUNT: account.id,
        SERVICE: 'Amazon Simple Storage Service',
        USAGE_TYPE: 'USE1-Refund',
        RECORD_TYPE: 'Refund',
        amount: -(chance(`refund-amount:${account.id}:${monthKey}`) * 20),
        quantity: 0,
        unit: 'N/A',
      });
    }
  }
  return out;
}

/** Cost Explorer's filter expressions over the dimensions the sample knows. */
function matches(filter: Expression | undefined, record: SampleRecord): boolean {
  if (!filter) return true;
  if (filter.And) return filter.And.every((f) => matches(f, record));
  if (filter.Or) return filter.Or.some((f) => matches(f, record));
  if (filter.Not) return !matches(filter.Not, record);
  if (filter.Dimensions) {
    const key = filter.Dimensions.Key as Dimension;
    if (!GROUP_DIMENSIONS.includes(key)) {
      throw awsLikeError('ValidationException', `sample cost data filters only on ${GROUP_DIMENSIONS.join(', ')}; got ${filter.Dimensions.Key}`);
    }
    return (filter.Dimensions.Values ?? []).includes(record[key]);
  }
  throw awsLikeError('ValidationException', 'sample cost data supports And, Or, Not and Dimensions filters only');
}

/**
 * The accounts a filter can match: those a LINKED_ACCOUNT dimension names, at the top or in an And; all otherwise.
 * Records of other accounts never match, so they need not be generated (a forecast per environment of a 1,000-account
 * organization would otherwise generate every account's records a thousand times).
 */
function linkedAccounts(filter: Expression | undefined): Set<string> | undefined {
  if (!filter) return undefined;
  if (filter.Dimensions?.Key === 'LINKED_ACCOUNT') return new Set(filter.Dimensions.Values ?? []);
  for (const term of filter.And ?? []) {
    const ids = linkedAccounts(term);
    if (ids) return ids;
  }
  return undefined;
}

/** Lets a server answer other requests while a large sample answer is computed. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Options of {@link sampleCostSource}. */
export interface SampleCostOptions {
  /** Groups per page. @default 25 */
  readonly pageSize?: number;
  /** "Today": data exists up to the day before, for the 13 months up to this one. @default the current date */
  readonly today?: Date;
}

/**
 * Deterministic sample usage per account, service, usage type and day over 13 months: the same day always gives the
 * same figures. It answers GetCostAndUsage (MONTHLY or DAILY; UnblendedCost and UsageQuantity; up to two of
 * LINKED_ACCOUNT, SERVICE, USAGE_TYPE, RECORD_TYPE; Dimensions filters with And/Or/Not; pages) and GetCostForecast,
 * like Cost Explorer. Everything that shows it says "sample data".
 */
export function sampleCostSource(accounts: readonly { id: string; environment: string }[], options: SampleCostOptions = {}): CostSource {
  const pageSize = options.pageSize ?? 25;
  const today = isoDate(options.today ?? systemClock());
  const firstDay = monthStart(today, -(SAMPLE_MONTHS - 1));

  const periodsOf = (start: string, end: string, granularity: string | undefined): { Start: string; End: string }[] => {
    const periods: { Start: string; End: string }[] = [];
    for (let day = start; day < end; ) {
      const next = granularity === 'DAILY' ? addDays(day, 1) : monthStart(day, 1);
      periods.push({ Start: day, End: next < end ? next : end });
      day = next;
    }
    return periods;
  };
  const memo = new Map<
    string,
    { period: { Start: string; End: string }; groups: { keys: string[]; amount: number; quantity: number; unit: string }[]; estimated: boolean }[]
  >();
  const checkPeriod = (start: string | undefined, end: string | undefined) => {
    if (!start || !end || !(start < end)) throw awsLikeError('ValidationException', `start date ${start} must be before end date ${end}`);
    if (start < firstDay) {
      throw awsLikeError('DataUnavailableException', `sample cost data covers ${SAMPLE_MONTHS} months, from ${firstDay}; ${start} is earlier`);
    }
  };

  return {
    sample: true,
    async getCostAndUsage(input: GetCostAndUsageCommandInput): Promise<CostExplorerPage> {
      checkPeriod(input.TimePeriod?.Start, input.TimePeriod?.End);
      const metrics = input.Metrics ?? [];
      const unknownMetric = metrics.find((m) => m !== 'UnblendedCost' && m !== 'UsageQuantity');
      if (unknownMetric) throw awsLikeError('ValidationException', `sample cost data has UnblendedCost and UsageQuantity only; got ${unknownMetric}`);
      const groupBy = (input.GroupBy ?? []).map((g) => g.Key as Dimension);
      if (groupBy.length > 2 || groupBy.some((k) => !GROUP_DIMENSIONS.includes(k))) {
        throw awsLikeError('ValidationException', `group by at most two of ${GROUP_DIMENSIONS.join(', ')}`);
      }
      // Pages of one query are cut from one computed answer, as Cost Explorer does.
      const { NextPageToken: _token, ...query } = input;
      const memoKey = JSON.stringify(query);
      let results = memo.get(memoKey);
      if (!results) {
        const ids = linkedAccounts(input.Filter);
        const scope = ids ? accounts.filter((a) => ids.has(a.id)) : accounts;
        results = [];
        let generated = 0;
        for (const period of periodsOf(input.TimePeriod?.Start as string, input.TimePeriod?.End as string, input.Granularity)) {
          const groups = new Map<string, { keys: string[]; amount: number; quantity: number; unit: string }>();
          for (let day = period.Start; day < period.End && day < today; day = addDays(day, 1)) {
            for (const account of scope) {
              if (++generated % 5000 === 0) await yieldToLoop();
              for (const record of recordsOf(account, day)) {
                if (!matches(input.Filter, record)) continue;
                const keys = groupBy.map((k) => record[k]);
                const key = keys.join('\u0000');
                const group = groups.get(key) ?? { keys, amount: 0, quantity: 0, unit: record.unit };
                group.amount += record.amount;
                group.quantity += record.quantity;
                if (group.unit !== record.unit) group.unit = 'N/A';
                groups.set(key, group);
              }
            }
          }
          results.push({ period, groups: [...groups.values()], estimated: period.End > monthStart(today, 0) });
        }
      }
      memo.clear();
      memo.set(memoKey, results);
      const metricsOf = (g: { amount: number; quantity: number; unit: string }) =>
        Object.fromEntries(
          metrics.map((m) => [m, m === 'UnblendedCost' ? { Amount: g.amount.toFixed(10), Unit: 'USD' } : { Amount: g.quantity.toFixed(4), Unit: g.unit }]),
        );
      if (groupBy.length === 0) {
        return {
          ResultsByTime: results.map((r) => ({
            TimePeriod: r.period,
            Total: metricsOf(r.groups[0] ?? { amount: 0, quantity: 0, unit: 'N/A' }),
            Groups: [],
            Estimated: r.estimated,
          })),
        };
      }
      // Pages hold at most pageSize groups, in time order; periods without groups come with the first page.
      const flat = results.flatMap((r, index) => r.groups.map((g) => ({ index, g })));
      const start = Number(input.NextPageToken ?? 0);
      const page = flat.slice(start, start + pageSize);
      return {
        ResultsByTime: results
          .map((r, index) => ({ r, index, groups: page.filter((p) => p.index === index).map((p) => p.g) }))
          .filter(({ r, groups }) => groups.length > 0 || (start === 0 && r.groups.length === 0))
          .map(({ r, groups }) => ({
            TimePeriod: r.period,
            Groups: groups.map((g) => ({ Keys: g.keys, Metrics: metricsOf(g) })),
            Estimated: r.estimated,
          })),
        NextPageToken: start + pageSize < flat.length ? String(start + pageSize) : undefined,
      };
    },
    async getCostForecast(input: GetCostForecastCommandInput): Promise<ForecastResult> {
      const start = input.TimePeriod?.Start ?? '';
      const end = input.TimePeriod?.End ?? '';
      if (!(start < end)) throw awsLikeError('ValidationException', `start date ${start} must be before end date ${end}`);
      if (start < today) throw awsLikeError('ValidationException', `a forecast starts today (${today}) or later; got ${start}`);
      if (input.Metric !== 'UNBLENDED_COST') throw awsLikeError('ValidationException', `sample forecasts have UNBLENDED_COST only; got ${input.Metric}`);
      const ids = linkedAccounts(input.Filter);
      const scope = ids ? accounts.filter((a) => ids.has(a.id)) : accounts;
      const periods = periodsOf(start, end, input.Granularity).map((period) => {
        let mean = 0;
        for (let day = period.Start; day < period.End; day = addDays(day, 1)) {
          for (const account of scope) for (const record of recordsOf(account, day)) if (matches(input.Filter, record)) mean += record.amount;
        }
        return { period, mean };
      });
      const total = periods.reduce((sum, p) => sum + p.mean, 0);
      const interval = (value: number) => ({ low: (value * 0.88).toFixed(10), high: (value * 1.12).toFixed(10) });
      return {
        Total: { Amount: total.toFixed(10), Unit: 'USD' },
        ForecastResultsByTime: periods.map((p) => ({
          TimePeriod: p.period,
          MeanValue: p.mean.toFixed(10),
          PredictionIntervalLowerBound: interval(p.mean).low,
          PredictionIntervalUpperBound: interval(p.mean).high,
        })),
      };
    },
  };
}
