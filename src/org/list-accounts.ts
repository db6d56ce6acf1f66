import { type OrganizationsClient, paginateListAccounts, paginateListPolicies } from '@aws-sdk/client-organizations';

/** Account name → ID for every account in the caller's organization; empty when there is no organization. */
export async function listAccountIdsByName(client: OrganizationsClient): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) if (account.Name && account.Id) ids.set(account.Name, account.Id);
    }
  } catch (error) {
    if ((error as Error).name === 'AWSOrganizationsNotInUseException') return ids;
    throw error;
  }
  return ids;
}

/** SCP name → policy ID in the caller's organization; empty when there is no organization. */
export async function listPolicyIdsByName(client: OrganizationsClient): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  try {
    for await (const page of paginateListPolicies({ client }, { Filter: 'SERVICE_CONTROL_POLICY' })) {
      for (const policy of page.Policies ?? []) if (policy.Name && policy.Id) ids.set(policy.Name, policy.Id);
    }
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AWSOrganizationsNotInUseException' || name === 'PolicyTypeNotEnabledException') return ids;
    throw error;
  }
  return ids;
}
