import type { IdentityContext } from '../../identity/identity-context.js';
import { assignmentKind } from '../../identity/kinds/assignment-kind.js';
import { listUsers } from '../../identity/people/list-users.js';
import { grant, revoke } from '../../identity/people/membership.js';
import type { ConsoleDeps } from './app.js';

/** The people routes' domain calls over a prepared Identity Center context (the same functions as `groundwork users`). */
export function peopleOf(identity: IdentityContext): ConsoleDeps['people'] {
  return {
    list: async () => listUsers(identity, await assignmentKind(identity).read()),
    groups: async () => [...identity.registry.groupIds.keys()].sort(),
    grant: (user, group) => grant(identity, user, group),
    revoke: (user, group) => revoke(identity, user, group),
  };
}
