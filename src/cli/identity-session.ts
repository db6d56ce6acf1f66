import { GroundworkError } from '../errors.js';
import { findInstance } from '../identity/identity-context.js';
import { assignmentKind } from '../identity/kinds/assignment-kind.js';
import { readGroups } from '../identity/kinds/group-kind.js';
import { permissionSetKind } from '../identity/kinds/permission-set-kind.js';
import { readAccounts } from '../org/kinds/account-kind.js';
import { readOrganizationBasics } from '../org/read-organization.js';
import type { CommandContext } from './context.js';
import { type OrgSession, openOrgSession } from './org-session.js';

/** An organization session with Identity Center read: instance, groups, permission sets and account IDs. */
export async function openIdentitySession(ctx: CommandContext): Promise<OrgSession> {
  const session = await openOrgSession(ctx);
  if (await readOrganizationBasics(session.org)) await readAccounts(session.org);
  if (!(await findInstance(session.identity))) {
    throw new GroundworkError('IDENTITY_CENTER_NOT_ENABLED', 'IAM Identity Center is not enabled for this organization', {
      hint: 'enable it (docs/runbooks/identity-center.md), then run groundwork apply',
    });
  }
  await readGroups(session.identity);
  await permissionSetKind(session.identity).read();
  return session;
}

/** Live assignments (group and direct user) of the permission sets in the config. */
export function readLiveAssignments(session: OrgSession) {
  return assignmentKind(session.identity).read();
}
