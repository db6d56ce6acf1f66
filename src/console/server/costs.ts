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
}): ConsoleCosts {
  const now = options.now ?? (() => new Date());
  const dated = async <T>(view: (source: CostSource) => Promise<T>): Promise<Dated<T>> => {
    const source = options.sourceFor();
    const result = await view(source);
    return { ...result, asOf: source.stats?.oldestFetchedAt ?? now().toISOString() };
  };
  return {
    environments: [...new Set(options.environments.values())].sort(),
    overview: () => dated((source) => costOverview({ source, environments: options.environments, today: now() }, options.budgetsUsd)),
    breakdown: (query) => dated((source) => costBreakdown({ source, environments: options.environments, today: now() }, query)),
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
    history: () => dated((source) => costHistory({ source, environments: options.environments, today: now() })),
  };
}
