import { assertManagementCaller, describeCaller } from '../aws/caller.js';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import { createFoundationContexts } from '../foundation/foundation-kinds.js';
import { findInstance } from '../identity/identity-context.js';
import { readGroups } from '../identity/kinds/group-kind.js';
import { type ImportOptions, type ImportSummary, importUsers } from '../identity/people/import-users.js';

/**
 * The people file imported into Identity Center with only what the sync role may do: the instance and its groups are
 * read (no account, permission set or organization listing), then the same import as `groundwork users import`.
 */
export async function syncPeople(config: GroundworkConfig, clients: ClientFactory, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  assertManagementCaller(await describeCaller(clients));
  const { identity } = createFoundationContexts(config, clients);
  if (!(await findInstance(identity))) {
    throw new GroundworkError('IDENTITY_CENTER_NOT_ENABLED', 'IAM Identity Center is not enabled for this organization', {
      hint: 'enable it (docs/runbooks/identity-center.md), then merge a change so that apply creates the groups',
    });
  }
  await readGroups(identity);
  return importUsers(identity, file, options);
}
