import { join } from 'node:path';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { toGroundworkError } from '../aws/aws-error.js';
import { type Clock, systemClock } from '../clock.js';
import { allAccounts } from '../config/resolved-config.js';
import { didYouMean } from '../config/suggest.js';
import { cachedCostSource } from '../cost/cached-source.js';
import { type CostSource, costExplorerSource } from '../cost/cost-source.js';
import { isMonth } from '../cost/time.js';
import { GroundworkError } from '../errors.js';
import { listAccountIdsByName } from '../org/list-accounts.js';
import { environmentsByAccountId } from '../org/read-organization.js';
import { sampleCostSource } from '../sandbox/sample-costs.js';
import { type CommandContext, resolveTarget } from './context.js';
import { type OrgSession, openOrgSession } from './org-session.js';

/** What `bills` and `costs` share: the organization's accounts by environment and one cost source. */
export interface CostSession {
  readonly session: OrgSession;
  /** Account ID → environment, for the accounts that exist. */
  readonly environments: ReadonlyMap<string, string>;
  /** Environment → the sum of its accounts' monthly budgets in USD. */
  readonly budgetsUsd: ReadonlyMap<string, number>;
  readonly source: CostSource;
  /** Cache hits and misses, on AWS. */
  readonly cacheStats?: { readonly hits: number; readonly misses: number };
  /**
   * A fresh view of the same source, for one request of a long-running server (the console): on AWS its cache stats,
   * and so the age of its oldest answer, are that request's own.
   */
  readonly sourceForRequest: () => CostSource & { readonly stats?: { readonly oldestFetchedAt?: string } };
}

/** Checks `YYYY-MM` and that the month has begun. */
export function checkMonth(month: string, now: Clock = systemClock): void {
  if (!isMonth(month)) {
    throw new GroundworkError('USAGE', `"${month}" is not a month`, { hint: 'use YYYY-MM with a month from 01 to 12, e.g. --month 2026-10' });
  }
  const current = now().toISOString().slice(0, 7);
  if (month > current)
    throw new GroundworkError('USAGE', `${month} is in the future; the latest month with costs is ${current}`, { hint: `use --month ${current} or earlier` });
}

/**
 * Opens the organization, maps accounts to environments, and picks the source: generated sample data in the sandbox
 * (it says so), Cost Explorer behind a file cache on AWS. `--refresh` asks Cost Explorer again.
 */
export async function openCostSession(
  ctx: CommandContext,
  options: { readonly env?: string; readonly refresh?: boolean; readonly session?: OrgSession } = {},
): Promise<CostSession> {
  const session = options.session ?? (await openOrgSession(ctx));
  const { config, org } = session;
  const environments = [...new Set(allAccounts(config).map((a) => a.environment))];
  if (options.env && !environments.includes(options.env)) {
    throw new GroundworkError('USAGE', `unknown environment "${options.env}"`, { hint: didYouMean(options.env, environments) });
  }
  // Costs need account IDs only: one paginated ListAccounts, not the plan's full read (OUs, tags per account); a
  // session that has read the accounts already (the console's) is not read again.
  if (session.caller.organizationId && org.registry.accountIds.size === 0) {
    org.registry.managementAccountId = session.caller.managementAccountId;
    for (const [name, id] of await listAccountIdsByName(org.orgs)) org.registry.accountIds.set(name, id);
  }
  const byAccount = environmentsByAccountId(config, org.registry);
  if (byAccount.size === 0) throw new GroundworkError('USAGE', 'the organization has no accounts yet', { hint: 'run groundwork apply first' });
  const budgetsUsd = new Map<string, number>();
  for (const account of allAccounts(config)) budgetsUsd.set(account.environment, (budgetsUsd.get(account.environment) ?? 0) + account.monthlyBudgetUsd);

  if (resolveTarget(ctx) === 'sandbox') {
    ctx.out.progress('note: the sandbox has no AWS billing data; these figures are generated SAMPLE DATA');
    const source = sampleCostSource(
      [...byAccount].map(([id, environment]) => ({ id, environment })),
      { today: ctx.now() },
    );
    return { session, environments: byAccount, budgetsUsd, source, sourceForRequest: () => source };
  }
  const explorer = costExplorerSource(session.clients.create(CostExplorerClient, { region: 'us-east-1' }));
  const dir = join(ctx.emulatorPaths.stateDir, 'cache', 'cost-explorer', session.caller.accountId);
  const cached = cachedCostSource(explorer, { dir, refresh: options.refresh, now: ctx.now });
  return {
    session,
    environments: byAccount,
    budgetsUsd,
    source: cached,
    cacheStats: cached.stats,
    sourceForRequest: () => cachedCostSource(explorer, { dir, now: ctx.now }),
  };
}

/** Turns Cost Explorer's errors into Groundwork's, with the hints that fix them. */
export function costExplorerError(error: unknown, doing: string, endpoint?: string): GroundworkError {
  const name = (error as Error)?.name;
  if (name === 'DataUnavailableException') {
    return new GroundworkError('AWS_REQUEST_FAILED', `Cost Explorer has no data for ${doing}: ${(error as Error).message}`, {
      hint: 'Cost Explorer keeps 13 months; after enabling it, data appears within 24 hours (docs/runbooks/cost.md)',
    });
  }
  if (name === 'AccessDeniedException' && /not enabled|opt/i.test((error as Error).message)) {
    return new GroundworkError('AWS_ACCESS_DENIED', `Cost Explorer is not enabled for this organization (${doing})`, {
      hint: 'enable it once in the Billing console of the management account (docs/runbooks/cost.md)',
    });
  }
  return toGroundworkError(error, doing, endpoint);
}
