import { createHash } from 'node:crypto';
import { allAccounts, type GroundworkConfig } from '../config/resolved-config.js';

/** Account name → 12-digit account ID, and where the IDs came from. */
export interface AccountDirectory {
  readonly ids: ReadonlyMap<string, string>;
  /** The organization ID (`o-…`), live or a placeholder. */
  readonly organizationId: string;
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

/** Placeholder IDs for every account in the config, so that synth works offline. */
export function placeholderDirectory(config: GroundworkConfig): AccountDirectory {
  return {
    ids: new Map(allAccounts(config).map((a) => [a.name, placeholderAccountId(a.name)])),
    organizationId: placeholderOrganizationId(),
    source: 'placeholder',
  };
}

/** IDs from a live organization (sandbox or AWS) where it has the account, placeholders otherwise. */
export function directoryFrom(
  config: GroundworkConfig,
  live: { managementAccountId: string; organizationId?: string; accounts: ReadonlyMap<string, string> },
): AccountDirectory {
  const ids = new Map<string, string>();
  let allLive = true;
  for (const account of allAccounts(config)) {
    const id = account.name === config.organization.managementAccount.name ? live.managementAccountId : live.accounts.get(account.name);
    if (!id) allLive = false;
    ids.set(account.name, id ?? placeholderAccountId(account.name));
  }
  return { ids, organizationId: live.organizationId ?? placeholderOrganizationId(), source: allLive && live.organizationId ? 'organization' : 'placeholder' };
}
