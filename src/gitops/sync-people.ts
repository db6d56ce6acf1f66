import { assertManagementCaller, describeCaller } from '../aws/caller.js';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import { createFoundationContexts } from '../foundation/foundation-kinds.js';
import { findInstance } from '../identity/identity-context.js';
import { readGroups } from '../identity/kinds/group-kind.js';
import { type ImportOptions, type ImportSummary, importUsers } from '../identity/people/import-users.js';
import { privilegedGroups } from '../identity/people/privileged-groups.js';

/** Options of {@link syncPeople}. */
export interface SyncOptions extends Omit<ImportOptions, 'privileged'> {
  /**
   * Make privileged changes too: memberships of groups holding an administrator permission set, and changes of existing
   * users' attributes. Only the approved run (the people-admin role) may; without it they are held. @default false
   */
  readonly allowPrivileged?: boolean;
}

/** What a sync did, and what the bootstrap template's sync role needs to know about the groups. */
export interface SyncSummary extends ImportSummary {
  /** Declared groups whose memberships are privileged (they hold an administrator permission set), sorted. */
  readonly privilegedGroups: string[];
  /**
   * ARNs of the other declared groups that exist: the value of the bootstrap template's SyncGroupArns parameter, the only
   * groups whose memberships the sync role may change.
   */
  readonly syncGroupArns: string[];
}

/**
 * The people file imported into Identity Center with only what the sync role may do: the instance and its groups are
 * read (no account, permission set or organization listing), then the same import as `groundwork users import`, with
 * privileged changes held unless `allowPrivileged`.
 */
export async function syncPeople(config: GroundworkConfig, clients: ClientFactory, file: string, options: SyncOptions = {}): Promise<SyncSummary> {
  const caller = await describeCaller(clients);
  assertManagementCaller(caller);
  const { identity } = createFoundationContexts(config, clients);
  if (!(await findInstance(identity))) {
    throw new GroundworkError('IDENTITY_CENTER_NOT_ENABLED', 'IAM Identity Center is not enabled for this organization', {
      hint: 'enable it (docs/runbooks/identity-center.md), then merge a change so that apply creates the groups',
    });
  }
  await readGroups(identity);
  const groups = privilegedGroups(config);
  const { allowPrivileged, ...importOptions } = options;
  const summary = await importUsers(identity, file, { ...importOptions, privileged: { groups, allow: allowPrivileged ?? false } });
  const partition = /^arn:([^:]+):/.exec(caller.arn)?.[1] ?? 'aws';
  const syncGroupArns = config.identityCenter.groups
    .filter((g) => !groups.has(g.name) && identity.registry.groupIds.has(g.name))
    .map((g) => `arn:${partition}:identitystore:::group/${identity.registry.groupIds.get(g.name)}`)
    .sort();
  return { ...summary, privilegedGroups: [...groups].sort(), syncGroupArns };
}
