import { DescribeOrganizationCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { readOrganizationalUnits } from './kinds/ou-kind.js';
import { isError, type OrgContext } from './org-context.js';

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
