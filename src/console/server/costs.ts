import { systemClock } from '../../clock.js';
import { type BreakdownBy, type CostBreakdown, type CostHistory, type CostOverview, costBreakdown, costHistory, costOverview } from '../../cost/cost-report.js';
import { type CostSource, fetchMonth } from '../../cost/cost-source.js';
import { STATEMENT_FORMATS } from '../../cost/render-statement.js';
import { buildStatements } from '../../cost/statement.js';

/** A cost view with the age of its figures: the oldest cached answer it used, or now for fresh and sample data. */
export type Dated<T> = T & { readonly asOf: string };

/** The cost routes' domain calls. */
export interface ConsoleCosts {
  readonly environments: readonly string[];
  overview(): Promise<Dated<CostOverview>>;
  breakdown(options: { month: string; by: BreakdownBy; environment?: string }): Promise<Dated<CostBreakdown>>;
  /** 13 months per environment, for the stacked chart. */
  history(): Promise<Dated<CostHistory>>;
  /** One environment's monthly statement, as `groundwork bills` writes it. */
  statement(month: string, environment: string, format: 'html' | 'csv'): Promise<{ body: string; contentType: string; fileName: string } | undefined>;
}

/**
 * The cost views of `groundwork costs` for the console. `sourceFor` gives a source per request (on AWS a fresh view of
 * the same file cache, so its stats are that request's), so every answer says how old its figures are.
 */
export function costsOf(options: {
  readonly sourceFor: () => CostSource & { readonly stats?: { readonly oldestFetchedAt?: string } };
  /** Account ID → environment. */
  readonly environments: ReadonlyMap<string, string>;
  readonly budgetsUsd: ReadonlyMap<string, number>;
  readonly now?: () => Date;
  /**
   * How long a computed view is kept and shared by the requests that ask for it meanwhile: Cost Explorer's figures
   * change a few times a day, and a view of a large organization takes seconds to add up. @default 5 minutes
   */
  readonly keepMs?: number;
}): ConsoleCosts {
  const now = options.now ?? systemClock;
  const keepMs = options.keepMs ?? 5 * 60_000;
  const kept = new Map<string, { at: number; view: Promise<unknown> }>();
  const dated = <T>(key: string, view: (source: CostSource) => Promise<T>): Promise<Dated<T>> => {
    const hit = kept.get(key);
    if (hit && now().getTime() - hit.at <= keepMs) return hit.view as Promise<Dated<T>>;
    const computed = (async () => {
      const source = options.sourceFor();
      const result = await view(source);
      return { ...result, asOf: source.stats?.oldestFetchedAt ?? now().toISOString() };
    })();
    // A small, bounded memory: the views of a few months and environments.
    if (kept.size >= 200) kept.delete(kept.keys().next().value as string);
    kept.set(key, { at: now().getTime(), view: computed });
    computed.catch(() => kept.delete(key));
    return computed;
  };
  return {
    environments: [...new Set(options.environments.values())].sort(),
    overview: () => dated('overview', (source) => costOverview({ source, environments: options.environments, today: now() }, options.budgetsUsd)),
    breakdown: (query) =>
      dated(`breakdown ${query.by} ${query.month} ${query.environment ?? ''}`, (source) =>
        costBreakdown({ source, environments: options.environments, today: now() }, query),
      ),
    statement: async (month, environment, format) => {
      const source = options.sourceFor();
      const { usagePages, adjustmentPages } = await fetchMonth(source, month);
      const statement = buildStatements({ month, usagePages, adjustmentPages, environments: options.environments, sample: source.sample }).find(
        (s) => s.environment === environment,
      );
      if (!statement) return undefined;
      const rendered = STATEMENT_FORMATS[format];
      return { body: rendered.render(statement), contentType: rendered.contentType, fileName: `${environment}-${month}.${format}` };
    },
    history: () => dated('history', (source) => costHistory({ source, environments: options.environments, today: now() })),
  };
}
