import { createHash } from 'node:crypto';
import { allAccounts, type GroundworkConfig } from '../config/resolved-config.js';

/** Account name → 12-digit account ID, and where the IDs came from. */
export interface AccountDirectory {
  readonly ids: ReadonlyMap<string, string>;
  /** The organization ID (`o-…`), live or a placeholder. */
  readonly organizationId: string;
  /** SCP name → policy ID (`p-…`), live or a placeholder, for the policies stacks refer to. */
  readonly policyIds: ReadonlyMap<string, string>;
  readonly source: 'organization' | 'placeholder';
}

/** A stable fake organization ID for offline synth. */
export function placeholderOrganizationId(): string {
  return 'o-groundwork00';
}

/** A stable fake account ID for offline synth: the same name always gives the same ID. */
export function placeholderAccountId(name: string): string {
  const digest = createHash('sha256').update(`groundwork:${name}`).digest();
  return ((digest.readBigUInt64BE(0) % 900_000_000_000n) + 100_000_000_000n).toString();
}

/** A stable fake SCP ID for offline synth. */
export function placeholderPolicyId(name: string): string {
  return `p-${createHash('sha256').update(`groundwork:${name}`).digest('hex').slice(0, 8)}`;
}

/** The SCPs stacks refer to by ID: today only the Playground guard's. */
export function referencedPolicies(config: GroundworkConfig): string[] {
  return config.serviceControlPolicies.filter((p) => p.attachedByBudgetActionOf !== undefined).map((p) => p.name);
}

/** Placeholder IDs for every account in the config, so that synth works offline. */
export function placeholderDirectory(config: GroundworkConfig): AccountDirectory {
  return {
    ids: new Map(allAccounts(config).map((a) => [a.name, placeholderAccountId(a.name)])),
    organizationId: placeholderOrganizationId(),
    policyIds: new Map(referencedPolicies(config).map((name) => [name, placeholderPolicyId(name)])),
    source: 'placeholder',
  };
}

/** IDs from a live organization (sandbox or AWS) where it has the account, placeholders otherwise. */
export function directoryFrom(
  config: GroundworkConfig,
  live: { managementAccountId: string; organizationId?: string; accounts: ReadonlyMap<string, string>; policies?: ReadonlyMap<string, string> },
): AccountDirectory {
  const ids = new Map<string, string>();
  let allLive = true;
  for (const account of allAccounts(config)) {
    const id = account.name === config.organization.managementAccount.name ? live.managementAccountId : live.accounts.get(account.name);
    if (!id) allLive = false;
    ids.set(account.name, id ?? placeholderAccountId(account.name));
  }
  const policyIds = new Map<string, string>();
  for (const name of referencedPolicies(config)) {
    const id = live.policies?.get(name);
    if (!id) allLive = false;
    policyIds.set(name, id ?? placeholderPolicyId(name));
  }
  return {
    ids,
    organizationId: live.organizationId ?? placeholderOrganizationId(),
    policyIds,
    source: allLive && live.organizationId ? 'organization' : 'placeholder',
  };
}
