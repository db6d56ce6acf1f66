import type { Expression, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { systemClock } from '../clock.js';
import { mapLimit } from '../engine/concurrency.js';
import { allPages, type CostSource, CREDITS_AND_REFUNDS } from './cost-source.js';
import { decimalToCents, formatCents } from './money.js';
import type { CostExplorerPage } from './statement.js';
import { addDays, isoDate, monthPeriod, monthStart } from './time.js';

/** What every cost view needs: where the data comes from, which account is which environment, and "today". */
export interface CostViewInputs {
  readonly source: CostSource;
  /** Account ID → environment. */
  readonly environments: ReadonlyMap<string, string>;
  /** @default the current date */
  readonly today?: Date;
}

/** An amount in whole cents and as text. */
export interface Money {
  readonly cents: number;
  readonly amount: string;
}

const money = (cents: number): Money => ({ cents, amount: formatCents(cents) });

/** One environment in the overview. */
export interface EnvironmentCost {
  readonly environment: string;
  readonly accountIds: readonly string[];
  /** Usage cost from the 1st to yesterday (Cost Explorer's data ends there), credits and refunds left out. */
  readonly monthToDate: Money;
  /** Month to date plus the Cost Explorer forecast to the month's end; absent when Cost Explorer has no forecast yet. */
  readonly forecastMonthEnd?: Money & { readonly low: Money; readonly high: Money };
  /** Why there is no forecast, when there is none. */
  readonly forecastUnavailable?: string;
  readonly lastMonth: Money;
  /** Sum of the environment's account budgets, in USD. */
  readonly budgetUsd?: number;
  /** Forecast (or, without one, month to date) in percent of the budget. */
  readonly percentOfBudget?: number;
}

/** Month to date, forecast and last month per environment. */
export interface CostOverview {
  /** YYYY-MM of the current month. */
  readonly month: string;
  /** The last day with data (yesterday). */
  readonly dataThrough: string;
  readonly currency: string;
  readonly sample: boolean;
  readonly requests: number;
  readonly environments: readonly EnvironmentCost[];
}

/** How a breakdown groups costs. */
export type BreakdownBy = 'service' | 'usage-type' | 'day';

/** One row of a breakdown. */
export interface BreakdownItem extends Money {
  /** The service; for `usage-type`, the service of the usage type. */
  readonly service?: string;
  readonly usageType?: string;
  /** YYYY-MM-DD, for `day`. */
  readonly date?: string;
  readonly usageQuantity?: string;
  readonly usageUnit?: string;
}

/** One environment's costs in a month, drilled down. */
export interface EnvironmentBreakdown {
  readonly environment: string;
  readonly total: Money;
  /** Largest first; days in date order. */
  readonly items: readonly BreakdownItem[];
}

/** A month's costs drilled down by service, usage type or day, per environment. */
export interface CostBreakdown {
  readonly month: string;
  readonly by: BreakdownBy;
  /** The days covered: the whole month, or to yesterday for the current one. */
  readonly from: string;
  /** Exclusive. */
  readonly to: string;
  readonly currency: string;
  readonly sample: boolean;
  readonly requests: number;
  readonly environments: readonly EnvironmentBreakdown[];
}

/** Cost Explorer allows only a few requests a second; forecasts and per-environment queries go a few at a time. */
const COST_EXPLORER_CONCURRENCY = 4;
const USAGE_ONLY: Expression = { Not: CREDITS_AND_REFUNDS };
const groupBy = (...keys: string[]) => keys.map((Key) => ({ Type: 'DIMENSION' as const, Key }));
const accountsOf = (environments: ReadonlyMap<string, string>, environment: string) =>
  [...environments].filter(([, env]) => env === environment).map(([id]) => id);
const environmentNames = (environments: ReadonlyMap<string, string>) => [...new Set(environments.values())];

/** Groups of every page, each with the start of its period. */
function groupsOf(pages: readonly CostExplorerPage[]) {
  return pages.flatMap((page) =>
    (page.ResultsByTime ?? []).flatMap((result) => (result.Groups ?? []).map((group) => ({ start: result.TimePeriod?.Start ?? '', group }))),
  );
}

function currencyOf(pages: readonly CostExplorerPage[], fallback = 'USD'): string {
  for (const { group } of groupsOf(pages)) {
    const unit = group.Metrics?.UnblendedCost?.Unit;
    if (unit) return unit;
  }
  return fallback;
}

/** Cents per environment from pages grouped by LINKED_ACCOUNT (first key). */
function centsByEnvironment(pages: readonly CostExplorerPage[], environments: ReadonlyMap<string, string>): Map<string, number> {
  const totals = new Map(environmentNames(environments).map((env) => [env, 0]));
  for (const { group } of groupsOf(pages)) {
    const environment = environments.get(group.Keys?.[0] ?? '');
    if (environment === undefined) continue;
    totals.set(environment, (totals.get(environment) ?? 0) + decimalToCents(group.Metrics?.UnblendedCost?.Amount ?? '0'));
  }
  return totals;
}

/**
 * Month to date, last month and the forecast to the month's end, per environment. It costs two grouped queries
 * (by LINKED_ACCOUNT) and one forecast per environment (Cost Explorer forecasts take a filter, not a grouping).
 */
export async function costOverview(inputs: CostViewInputs, budgetsUsd: ReadonlyMap<string, number> = new Map()): Promise<CostOverview> {
  const today = isoDate(inputs.today ?? systemClock());
  const thisMonth = monthStart(today, 0);
  let requests = 0;
  const count = () => requests++;
  const byAccount = (Start: string, End: string): Promise<CostExplorerPage[]> =>
    Start < End
      ? allPages(
          inputs.source,
          { TimePeriod: { Start, End }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], GroupBy: groupBy('LINKED_ACCOUNT'), Filter: USAGE_ONLY },
          count,
        )
      : Promise.resolve([]);
  const [monthPages, lastMonthPages] = await Promise.all([byAccount(thisMonth, today), byAccount(monthStart(today, -1), thisMonth)]);
  const monthToDate = centsByEnvironment(monthPages, inputs.environments);
  const lastMonth = centsByEnvironment(lastMonthPages, inputs.environments);

  const environments = await mapLimit(environmentNames(inputs.environments), COST_EXPLORER_CONCURRENCY, async (environment): Promise<EnvironmentCost> => {
    const accountIds = accountsOf(inputs.environments, environment);
    const mtd = monthToDate.get(environment) ?? 0;
    let forecast: EnvironmentCost['forecastMonthEnd'];
    let forecastUnavailable: string | undefined;
    try {
      const result = await inputs.source.getCostForecast({
        TimePeriod: { Start: today, End: monthStart(today, 1) },
        Metric: 'UNBLENDED_COST',
        Granularity: 'MONTHLY',
        PredictionIntervalLevel: 80,
        Filter: { And: [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: accountIds } }, USAGE_ONLY] },
      });
      count();
      const bound = (which: 'PredictionIntervalLowerBound' | 'PredictionIntervalUpperBound') =>
        (result.ForecastResultsByTime ?? []).reduce((sum, r) => sum + decimalToCents(r[which] ?? r.MeanValue ?? '0'), 0);
      const rest = decimalToCents(result.Total?.Amount ?? '0');
      forecast = { ...money(mtd + rest), low: money(mtd + bound('PredictionIntervalLowerBound')), high: money(mtd + bound('PredictionIntervalUpperBound')) };
    } catch (error) {
      // New accounts have too little history for a forecast; Cost Explorer says so with DataUnavailableException.
      if ((error as Error).name !== 'DataUnavailableException') throw error;
      count();
      forecastUnavailable = (error as Error).message;
    }
    const budgetUsd = budgetsUsd.get(environment);
    const basis = forecast?.cents ?? mtd;
    return {
      environment,
      accountIds,
      monthToDate: money(mtd),
      ...(forecast ? { forecastMonthEnd: forecast } : { forecastUnavailable }),
      lastMonth: money(lastMonth.get(environment) ?? 0),
      ...(budgetUsd !== undefined ? { budgetUsd, percentOfBudget: Math.round(basis / budgetUsd) } : {}),
    };
  });
  return {
    month: thisMonth.slice(0, 7),
    dataThrough: addDays(today, -1),
    currency: currencyOf([...monthPages, ...lastMonthPages]),
    sample: inputs.source.sample,
    requests,
    environments,
  };
}

/**
 * One month drilled down per environment: by service (one query grouped by LINKED_ACCOUNT and SERVICE), by usage type
 * (one query per environment grouped by SERVICE and USAGE_TYPE, filtered to its accounts), or by day (one DAILY query
 * grouped by LINKED_ACCOUNT). Credits and refunds are left out: these are usage costs, the statements list the rest.
 */
export async function costBreakdown(
  inputs: CostViewInputs,
  options: { readonly month: string; readonly by: BreakdownBy; readonly environment?: string },
): Promise<CostBreakdown> {
  const today = isoDate(inputs.today ?? systemClock());
  const period = monthPeriod(options.month);
  // biome-ignore lint/complexity/useMathMinMax: ISO dates are strings; Math.min would turn them into NaN.
  const to = period.End < today ? period.End : today;
  const names = options.environment ? [options.environment] : environmentNames(inputs.environments);
  const accountIds = names.flatMap((env) => accountsOf(inputs.environments, env));
  let requests = 0;
  const query = (input: Omit<GetCostAndUsageCommandInput, 'TimePeriod'>) =>
    period.Start < to ? allPages(inputs.source, { ...input, TimePeriod: { Start: period.Start, End: to } }, () => requests++) : Promise.resolve([]);
  const onlyThese: Expression = { And: [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: accountIds } }, USAGE_ONLY] };

  type Row = { cents: number; quantity: number; unit?: string; item: Omit<BreakdownItem, 'cents' | 'amount'> };
  const rows = new Map(names.map((env) => [env, new Map<string, Row>()]));
  const add = (environment: string | undefined, key: string, item: Row['item'], metrics?: Record<string, { Amount?: string; Unit?: string }>) => {
    const target = environment === undefined ? undefined : rows.get(environment);
    if (!target || !metrics) return;
    const row = target.get(key) ?? { cents: 0, quantity: 0, unit: metrics.UsageQuantity?.Unit, item };
    row.cents += decimalToCents(metrics.UnblendedCost?.Amount ?? '0');
    row.quantity += Number(metrics.UsageQuantity?.Amount ?? 0);
    if (row.unit !== metrics.UsageQuantity?.Unit) row.unit = 'N/A';
    target.set(key, row);
  };
  const allPagesSeen: CostExplorerPage[] = [];

  if (options.by === 'service') {
    const pages = await query({
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost', 'UsageQuantity'],
      GroupBy: groupBy('LINKED_ACCOUNT', 'SERVICE'),
      Filter: onlyThese,
    });
    allPagesSeen.push(...pages);
    for (const { group } of groupsOf(pages)) {
      const [account = '', service = 'Unknown service'] = group.Keys ?? [];
      add(inputs.environments.get(account), service, { service }, group.Metrics);
    }
  } else if (options.by === 'usage-type') {
    await mapLimit(names, COST_EXPLORER_CONCURRENCY, async (environment) => {
      const pages = await query({
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost', 'UsageQuantity'],
        GroupBy: groupBy('SERVICE', 'USAGE_TYPE'),
        Filter: { And: [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: accountsOf(inputs.environments, environment) } }, USAGE_ONLY] },
      });
      allPagesSeen.push(...pages);
      for (const { group } of groupsOf(pages)) {
        const [service = 'Unknown service', usageType = 'Unknown usage type'] = group.Keys ?? [];
        add(environment, `${service}\u0000${usageType}`, { service, usageType }, group.Metrics);
      }
    });
  } else {
    const pages = await query({ Granularity: 'DAILY', Metrics: ['UnblendedCost'], GroupBy: groupBy('LINKED_ACCOUNT'), Filter: onlyThese });
    allPagesSeen.push(...pages);
    for (const { start, group } of groupsOf(pages)) add(inputs.environments.get(group.Keys?.[0] ?? ''), start, { date: start }, group.Metrics);
    // Every day of the window appears, with 0 where nothing was spent.
    for (const target of rows.values()) {
      for (let day = period.Start; day < to; day = addDays(day, 1)) if (!target.has(day)) target.set(day, { cents: 0, quantity: 0, item: { date: day } });
    }
  }

  const environments = names.map((environment): EnvironmentBreakdown => {
    const entries = [...(rows.get(environment) ?? new Map<string, Row>()).values()];
    const items = entries
      .sort((a, b) =>
        options.by === 'day'
          ? (a.item.date ?? '').localeCompare(b.item.date ?? '')
          : options.by === 'usage-type'
            ? (a.item.service ?? '').localeCompare(b.item.service ?? '') || b.cents - a.cents
            : b.cents - a.cents,
      )
      .map((row) => ({
        ...row.item,
        ...money(row.cents),
        ...(options.by !== 'day' && row.unit && row.unit !== 'N/A' ? { usageQuantity: row.quantity.toFixed(2), usageUnit: row.unit } : {}),
      }));
    if (options.by === 'usage-type') {
      // Services largest first, their usage types largest first within.
      const serviceTotals = new Map<string, number>();
      for (const item of items) serviceTotals.set(item.service ?? '', (serviceTotals.get(item.service ?? '') ?? 0) + item.cents);
      items.sort(
        (a, b) =>
          (serviceTotals.get(b.service ?? '') ?? 0) - (serviceTotals.get(a.service ?? '') ?? 0) ||
          (a.service ?? '').localeCompare(b.service ?? '') ||
          b.cents - a.cents,
      );
    }
    return { environment, total: money(items.reduce((sum, item) => sum + item.cents, 0)), items };
  });
  return {
    month: options.month,
    by: options.by,
    from: period.Start,
    to,
    currency: currencyOf(allPagesSeen),
    sample: inputs.source.sample,
    requests,
    environments,
  };
}

/** One month of the history: cents per environment. */
export interface HistoryMonth {
  /** YYYY-MM. */
  readonly month: string;
  readonly environments: Readonly<Record<string, Money>>;
}

/** Monthly usage cost per environment over the last months, the current one (to yesterday) included. */
export interface CostHistory {
  readonly currency: string;
  readonly sample: boolean;
  readonly requests: number;
  readonly dataThrough: string;
  /** Oldest first. */
  readonly months: readonly HistoryMonth[];
}

/**
 * The last `months` months (Cost Explorer keeps 13 without extra cost) per environment: one MONTHLY query grouped by
 * LINKED_ACCOUNT, credits and refunds left out, the current month to yesterday.
 */
export async function costHistory(inputs: CostViewInputs, options: { readonly months?: number } = {}): Promise<CostHistory> {
  const today = isoDate(inputs.today ?? systemClock());
  const count = options.months ?? 13;
  const start = monthStart(today, -(count - 1));
  let requests = 0;
  const pages =
    start < today
      ? await allPages(
          inputs.source,
          {
            TimePeriod: { Start: start, End: today },
            Granularity: 'MONTHLY',
            Metrics: ['UnblendedCost'],
            GroupBy: groupBy('LINKED_ACCOUNT'),
            Filter: USAGE_ONLY,
          },
          () => requests++,
        )
      : [];
  const names = environmentNames(inputs.environments).sort();
  const months = Array.from({ length: count }, (_, i) => monthStart(today, i - (count - 1)).slice(0, 7));
  const cents = new Map(months.map((m) => [m, new Map(names.map((n) => [n, 0]))]));
  for (const { start: periodStart, group } of groupsOf(pages)) {
    const environment = inputs.environments.get(group.Keys?.[0] ?? '');
    const month = cents.get(periodStart.slice(0, 7));
    if (environment === undefined || !month) continue;
    month.set(environment, (month.get(environment) ?? 0) + decimalToCents(group.Metrics?.UnblendedCost?.Amount ?? '0'));
  }
  return {
    currency: currencyOf(pages),
    sample: inputs.source.sample,
    requests,
    dataThrough: addDays(today, -1),
    months: months.map((month) => ({ month, environments: Object.fromEntries([...(cents.get(month) ?? [])].map(([env, c]) => [env, money(c)])) })),
  };
}
