import { GroundworkError } from '../errors.js';
import { readAccounts } from '../org/kinds/account-kind.js';
import type { OrgContext } from '../org/org-context.js';
import { readOrganizationBasics } from '../org/read-organization.js';
import { findInstance, type IdentityContext } from './identity-context.js';
import { readGroups } from './kinds/group-kind.js';
import { permissionSetKind } from './kinds/permission-set-kind.js';

/**
 * Reads what people commands need before they act: the organization's account IDs, Identity Center's instance, its
 * groups and permission sets. Fails with IDENTITY_CENTER_NOT_ENABLED when there is no instance.
 */
export async function prepareIdentity(org: OrgContext, identity: IdentityContext): Promise<void> {
  if (await readOrganizationBasics(org)) await readAccounts(org);
  if (!(await findInstance(identity))) {
    throw new GroundworkError('IDENTITY_CENTER_NOT_ENABLED', 'IAM Identity Center is not enabled for this organization', {
      hint: 'enable it (docs/runbooks/identity-center.md), then run groundwork apply',
      actionHint: 'enable it (docs/runbooks/identity-center.md), then let the foundation apply run (merge to main, or re-run it)',
    });
  }
  await readGroups(identity);
  await permissionSetKind(identity).read();
}
