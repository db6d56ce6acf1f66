import { DescribeOrganizationCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { readOrganizationalUnits } from './kinds/ou-kind.js';
import { isError, type OrgContext, type OrgRegistry } from './org-context.js';

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
