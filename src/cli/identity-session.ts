import { assignmentKind } from '../identity/kinds/assignment-kind.js';
import { prepareIdentity } from '../identity/prepare-identity.js';
import type { CommandContext } from './context.js';
import { type OrgSession, openOrgSession } from './org-session.js';

/** An organization session with Identity Center read: instance, groups, permission sets and account IDs. */
export async function openIdentitySession(ctx: CommandContext): Promise<OrgSession> {
  const session = await openOrgSession(ctx);
  await prepareIdentity(session.org, session.identity);
  return session;
}

/** Live assignments (group and direct user) of the permission sets in the config. */
export function readLiveAssignments(session: OrgSession) {
  return assignmentKind(session.identity).read();
}
