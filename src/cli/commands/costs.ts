import { type BreakdownBy, costBreakdown, costOverview } from '../../cost/cost-report.js';
import { GroundworkError } from '../../errors.js';
import { readGuardState } from '../../org/read-organization.js';
import type { CommandContext } from '../context.js';
import { checkMonth, costExplorerError, openCostSession } from '../cost-session.js';
import { renderBreakdown, renderGuard, renderOverview } from '../render-costs.js';

/** Options of `groundwork costs`. */
export interface CostsOptions {
  readonly env?: string;
  readonly by?: BreakdownBy;
  /** YYYY-MM for a drill-down. @default the current month */
  readonly month?: string;
  readonly refresh?: boolean;
}

/**
 * `groundwork costs [--env NAME] [--by service|usage-type|day] [--month YYYY-MM] [--json]`: month to date, forecast and
 * budget per environment, or one month drilled down.
 */
export async function costsCommand(ctx: CommandContext, options: CostsOptions): Promise<void> {
  if (options.month !== undefined) {
    if (options.by === undefined) {
      throw new GroundworkError('USAGE', '--month applies to a drill-down', {
        hint: 'add --by service, --by usage-type or --by day; the overview is always the current month',
      });
    }
    checkMonth(options.month, ctx.now);
  }
  const cost = await openCostSession(ctx, { env: options.env, refresh: options.refresh });
  const environments = options.env ? new Map([...cost.environments].filter(([, env]) => env === options.env)) : cost.environments;
  const inputs = { source: cost.source, environments, today: ctx.now() };
  const note = (requests: number) => {
    if (cost.source.sample) return `${requests} Cost Explorer request(s) simulated; nothing was charged`;
    const hits = cost.cacheStats?.hits ?? 0;
    const misses = cost.cacheStats?.misses ?? 0;
    return `${misses} Cost Explorer request(s) made ($${(misses * 0.01).toFixed(2)}), ${hits} answered from the cache (--refresh asks again)`;
  };
  try {
    if (options.by === undefined) {
      const [overview, guard] = await Promise.all([costOverview(inputs, cost.budgetsUsd), readGuardState(cost.session.org)]);
      ctx.out.result({ ...overview, playgroundGuard: guard, cache: cost.cacheStats }, () =>
        [renderOverview(overview, note(overview.requests)), ...(guard ? [renderGuard(guard)] : [])].join('\n'),
      );
      return;
    }
    const month = options.month ?? ctx.now().toISOString().slice(0, 7);
    const breakdown = await costBreakdown(inputs, { month, by: options.by, environment: options.env });
    ctx.out.result({ ...breakdown, cache: cost.cacheStats }, () => renderBreakdown(breakdown, note(breakdown.requests)));
  } catch (error) {
    throw costExplorerError(error, 'the cost figures', cost.session.clients.settings.endpoint);
  }
}
