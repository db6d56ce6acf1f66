import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';

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
