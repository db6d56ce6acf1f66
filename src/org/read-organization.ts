import { DescribeOrganizationCommand, ListRootsCommand, paginateListPoliciesForTarget } from '@aws-sdk/client-organizations';
import { isError } from '../aws/aws-error.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { readOrganizationalUnits } from './kinds/ou-kind.js';
import type { OrgContext, OrgRegistry } from './org-context.js';

/** Fills the registry with the organization, its root and every OU; false when there is no organization. */
export async function readOrganizationBasics(ctx: OrgContext): Promise<boolean> {
  try {
    const { Organization } = await ctx.orgs.send(new DescribeOrganizationCommand({}));
    ctx.registry.organizationId = Organization?.Id;
    ctx.registry.managementAccountId = Organization?.MasterAccountId;
    ctx.registry.featureSet = Organization?.FeatureSet;
  } catch (error) {
    if (isError(error, 'AWSOrganizationsNotInUseException')) return false;
    throw error;
  }
  ctx.registry.rootId = (await ctx.orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
  await readOrganizationalUnits(ctx);
  return true;
}

/** Account ID → environment for every declared account the registry has an ID for, the management account included. */
export function environmentsByAccountId(config: GroundworkConfig, registry: OrgRegistry): Map<string, string> {
  const environments = new Map<string, string>();
  if (registry.managementAccountId) environments.set(registry.managementAccountId, config.organization.managementAccount.environment);
  for (const account of config.organization.accounts) {
    const id = registry.accountIds.get(account.name);
    if (id) environments.set(id, account.environment);
  }
  return environments;
}

/** The Playground guard as it stands: which account it watches and whether its SCP is attached there now. */
export interface GuardState {
  readonly account: string;
  readonly policy: string;
  readonly thresholdPercent: number;
  /** True while the budget action's deny-new-spend SCP is attached to the account. */
  readonly active: boolean;
}

/** Reads whether the Playground guard's policy is attached to its account; undefined without a guard or before the account exists. */
export async function readGuardState(ctx: OrgContext): Promise<GuardState | undefined> {
  const guard = ctx.config.cost.playgroundGuard;
  const policy = ctx.config.serviceControlPolicies.find((p) => p.attachedByBudgetActionOf !== undefined);
  const accountId = guard && ctx.registry.accountIds.get(guard.account);
  if (!guard || !policy || !accountId) return undefined;
  let active = false;
  for await (const page of paginateListPoliciesForTarget({ client: ctx.orgs }, { TargetId: accountId, Filter: 'SERVICE_CONTROL_POLICY' })) {
    if ((page.Policies ?? []).some((p) => p.Name === policy.name)) active = true;
  }
  return { account: guard.account, policy: policy.name, thresholdPercent: guard.thresholdPercent, active };
}
