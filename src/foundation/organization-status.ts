import type { CallerIdentity } from '../aws/caller.js';
import type { IdentityContext } from '../identity/identity-context.js';
import { findInstance, portalUrl, shortcutUrl } from '../identity/identity-context.js';
import { desiredAssignments } from '../identity/kinds/assignment-kind.js';
import { readAccounts } from '../org/kinds/account-kind.js';
import { readPolicies } from '../org/kinds/scp-kind.js';
import type { OrgContext } from '../org/org-context.js';
import { readOrganizationBasics } from '../org/read-organization.js';
import { type RootCredentials, readRootCredentials } from '../org/root-credentials.js';

/** One account as status shows it. */
export interface AccountStatus {
  readonly name: string;
  readonly awsName: string;
  readonly id: string | null;
  readonly organizationalUnit: string;
  readonly environment: string | null;
  readonly status: string;
  readonly managed: boolean;
  readonly inConfig: boolean;
  /** SCPs never apply to the management account: its admins are bound by nothing the guardrails say. */
  readonly scpsApply: boolean;
  /** The guardrail SCPs that bind it: attached to the account, its OUs or the root (AWS's allow-all FullAWSAccess left out). */
  readonly guardrails: readonly string[];
  /**
   * What the member account's root user still has (IAM's account summary, read through the access role); null for the
   * management account, whose root Groundwork does not judge, and for accounts not active.
   */
  readonly rootCredentials: RootCredentials | null;
}

/** What `groundwork status` and the console's Environments page show. */
export interface OrganizationStatus {
  readonly organizationId: string | null;
  readonly managementAccountId: string | null;
  readonly accounts: readonly AccountStatus[];
  /** The access portal: one sign-in for every environment; null without Identity Center. */
  readonly portal: string | null;
  /** A sign-in shortcut per account and permission set the config assigns. */
  readonly shortcuts: readonly { account: string; permissionSet: string; url: string }[];
  /** Who may reach the management account, per the config. */
  readonly managementAccess: readonly string[];
  /** Accounts of the config that do not exist yet. */
  readonly notCreated: readonly string[];
}

/** The SCPs attached along an account's path to the root: its own, each OU's up the config's parent chain, the root's. */
function guardrailsOf(org: OrgContext, accountId: string | undefined, parentName: string | undefined): string[] {
  const { registry, config } = org;
  const targets = [accountId, registry.rootId];
  const seen = new Set<string>();
  for (let ou = parentName; ou && ou !== 'Root' && !seen.has(ou); ou = config.organization.organizationalUnits.find((o) => o.name === ou)?.parent) {
    seen.add(ou);
    targets.push(registry.ouIds.get(ou));
  }
  const names = new Set<string>();
  for (const target of targets) for (const name of (target && registry.attachmentsByTarget.get(target)) || []) names.add(name);
  names.delete('FullAWSAccess');
  return [...names].sort();
}

/** Reads the organization's accounts, the access portal and the sign-in shortcuts. */
export async function organizationStatus(org: OrgContext, identity: IdentityContext, caller: CallerIdentity): Promise<OrganizationStatus> {
  const { config } = org;
  const exists = await readOrganizationBasics(org);
  const [live] = exists ? await Promise.all([readAccounts(org), readPolicies(org)]) : [[]];
  const environmentOf = (name: string) =>
    name === config.organization.managementAccount.name
      ? config.organization.managementAccount.environment
      : config.organization.accounts.find((a) => a.name === name)?.environment;
  const members = live.filter((a) => a.id && a.id !== caller.managementAccountId && a.status === 'ACTIVE').map((a) => a.id as string);
  const roots = await readRootCredentials(org, members);
  const accounts = live.map((a) => {
    const isManagement = a.id === caller.managementAccountId;
    const name = isManagement ? config.organization.managementAccount.name : a.name;
    return {
      name,
      awsName: a.name,
      id: a.id ?? null,
      organizationalUnit: isManagement ? '(management)' : (a.parentName ?? ''),
      environment: environmentOf(name) ?? null,
      status: a.status,
      managed: a.managed || isManagement,
      inConfig: environmentOf(name) !== undefined,
      scpsApply: !isManagement,
      guardrails: isManagement ? [] : guardrailsOf(org, a.id, a.parentName),
      rootCredentials: (a.id && roots.get(a.id)) || null,
    };
  });
  const instance = caller.organizationId ? await findInstance(identity) : undefined;
  const shortcuts = instance
    ? desiredAssignments(identity)
        .map((a) => ({ account: a.account, permissionSet: a.permissionSet, id: accounts.find((x) => x.name === a.account)?.id }))
        .filter((a, i, all) => a.id && all.findIndex((b) => b.account === a.account && b.permissionSet === a.permissionSet) === i)
        .map((a) => ({ account: a.account, permissionSet: a.permissionSet, url: shortcutUrl(instance.identityStoreId, a.id as string, a.permissionSet) }))
    : [];
  const managementName = config.organization.managementAccount.name;
  return {
    organizationId: caller.organizationId ?? null,
    managementAccountId: caller.managementAccountId ?? null,
    accounts,
    portal: instance ? portalUrl(instance.identityStoreId) : null,
    shortcuts,
    managementAccess: desiredAssignments(identity)
      .filter((a) => a.account === managementName)
      .map((a) => `${a.principal} (${a.permissionSet})`)
      .filter((v, i, all) => all.indexOf(v) === i),
    notCreated: config.organization.accounts.filter((a) => !live.some((l) => l.name === a.name)).map((a) => a.name),
  };
}
