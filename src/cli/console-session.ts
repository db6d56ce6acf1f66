import { join } from 'node:path';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { searchAudit } from '../audit/search.js';
import type { ConsoleDeps } from '../console/server/app.js';
import { ChangeLog } from '../console/server/change-log.js';
import { costsOf } from '../console/server/costs.js';
import { memo } from '../console/server/memo.js';
import { peopleOf } from '../console/server/people.js';
import { type DeliveryTarget, readDelivery } from '../delivery/deliveries.js';
import { organizationStatus } from '../foundation/organization-status.js';
import { prepareIdentity } from '../identity/prepare-identity.js';
import { readSecurityPosture } from '../security/security-posture.js';
import { openAuditSession } from './audit-session.js';
import { type CommandContext, resolveTarget } from './context.js';
import { openCostSession } from './cost-session.js';
import { type OrgSession, openOrgSession } from './org-session.js';

/** Where each environment's backend service runs, as the workload templates name it. */
export function deliveryTargets(session: OrgSession): DeliveryTarget[] {
  const backend = session.config.workloads.backendService;
  if (!backend) return [];
  const environmentOf = (account: string) => session.config.organization.accounts.find((a) => a.name === account)?.environment ?? account;
  return [
    { account: backend.stagingAccount, blueGreen: false },
    { account: backend.productionAccount, blueGreen: true },
  ].flatMap(({ account, blueGreen }) => {
    const accountId = session.org.registry.accountIds.get(account);
    if (!accountId) return [];
    const environment = environmentOf(account);
    return [
      {
        environment,
        accountId,
        cluster: environment,
        service: backend.name,
        ...(blueGreen ? { codeDeploy: { application: `${environment}-${backend.name}`, group: backend.name } } : {}),
      },
    ];
  });
}

/** The Identity Center user name of a caller signed in through the access portal: `…:assumed-role/AWSReservedSSO_<set>_<id>/<user>`. */
export function ssoUserOf(arn: string): string | undefined {
  return /:assumed-role\/AWSReservedSSO_[^/]+\/(.+)$/.exec(arn)?.[1];
}

/**
 * Opens everything the console reads and changes, once, for the target: the organization and Identity Center, the
 * cost source (sample data in the sandbox, Cost Explorer behind its file cache on AWS), the audit search, the
 * deliveries per environment. Slow reads are kept and refreshed in the background (their answers say how old they
 * are); the console's own changes are applied to them.
 */
export async function openConsole(ctx: CommandContext): Promise<{ deps: ConsoleDeps; session: OrgSession }> {
  const session = await openOrgSession(ctx);
  await prepareIdentity(session.org, session.identity);
  const [cost, audit] = await Promise.all([openCostSession(ctx, { session }), openAuditSession(session)]);
  const stateDir = join(ctx.emulatorPaths.stateDir, 'console');
  const targets = deliveryTargets(session);
  const environments = memo(() => organizationStatus(session.org, session.identity, session.caller), 30_000);
  const security = memo(() => readSecurityPosture(session.org), 30_000);
  const deliveryClients = targets.map((target) => ({
    target,
    clients: {
      ecs: session.clients.create(ECSClient, { accountId: target.accountId }),
      codeDeploy: session.clients.create(CodeDeployClient, { accountId: target.accountId }),
    },
  }));
  const deliveries = memo(
    async () => ({
      environments: await Promise.all(
        deliveryClients.map(({ target, clients }) => readDelivery(clients, target, { serviceDeploymentsApi: !session.clients.settings.endpoint })),
      ),
    }),
    15_000,
  );
  const deps: ConsoleDeps = {
    environments,
    security,
    costs: costsOf({ sourceFor: cost.sourceForRequest, environments: cost.environments, budgetsUsd: cost.budgetsUsd, now: ctx.now }),
    audit: { accountsByEnvironment: audit.accountsByEnvironment, search: (query) => searchAudit(audit.audit, query) },
    people: peopleOf(session.identity, { uploadsDir: join(stateDir, 'uploads') }),
    deliveries,
    changes: new ChangeLog(join(stateDir, 'changes.jsonl')),
    whoami: async () => session.caller.arn || session.caller.accountId,
    target: resolveTarget(ctx),
    now: ctx.now,
    viewer: async () => {
      const username = ssoUserOf(session.caller.arn);
      if (!username) return undefined;
      const user = (await deps.people.list()).find((u) => u.username.toLowerCase() === username.toLowerCase());
      return { username, access: user?.access ?? {} };
    },
  };
  // Start the slow reads now, so the first page view finds them done (or in flight) instead of starting them; a read
  // that fails here fails again, with its message, when a page asks for it.
  for (const warm of [deps.environments, security, deps.deliveries, deps.people.list, deps.costs.overview, deps.costs.history]) warm().catch(() => {});
  return { deps, session };
}
