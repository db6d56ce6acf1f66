import type { AuditContext } from '../audit/search.js';
import { readAccounts } from '../org/kinds/account-kind.js';
import { environmentsByAccountId, readOrganizationBasics } from '../org/read-organization.js';
import type { OrgSession } from './org-session.js';

/** What `audit search` and the console's audit page share: where to search, and accounts by name and environment. */
export interface AuditSession {
  readonly audit: AuditContext;
  /** Account name → ID, the management account included. */
  readonly idsByName: ReadonlyMap<string, string>;
  /** Environment → its account IDs. */
  readonly accountsByEnvironment: ReadonlyMap<string, readonly string[]>;
}

/** Reads the organization's accounts (unless the session has) and builds the audit search's context; accounts outside the config show under their own name. */
export async function openAuditSession(session: OrgSession): Promise<AuditSession> {
  const { config, org } = session;
  // A session that has read the accounts already (the console's) is not read again.
  if (org.registry.accountIds.size === 0 && (await readOrganizationBasics(org))) await readAccounts(org);
  const idsByName = new Map(org.registry.accountIds);
  if (org.registry.managementAccountId) idsByName.set(config.organization.managementAccount.name, org.registry.managementAccountId);
  const environments = environmentsByAccountId(config, org.registry);
  for (const [name, id] of idsByName) if (!environments.has(id)) environments.set(id, name);
  const accountsByEnvironment = new Map<string, string[]>();
  for (const [id, env] of environments) accountsByEnvironment.set(env, [...(accountsByEnvironment.get(env) ?? []), id]);
  return {
    audit: {
      clients: session.clients,
      environments,
      logRetentionDays: config.audit.cloudWatchLogsRetentionDays,
      logArchiveAccountId: config.audit.logArchiveAccount ? idsByName.get(config.audit.logArchiveAccount) : undefined,
    },
    idsByName,
    accountsByEnvironment,
  };
}
