import { toGroundworkError } from '../../aws/aws-error.js';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../identity-context.js';
import { addMembership, createUser, readStoredUsers, removeMembership } from './identity-store-users.js';
import { USER_COLUMNS, type UserRow, validateUserRow } from './user-row.js';

/** A person as the console's form sends them: the columns of a users file. */
export type NewUser = Record<(typeof USER_COLUMNS)[number], string>;

/** The groups an import or the console may manage: declared in the config and existing; and the others that exist. */
function groupSets(ctx: IdentityContext): { known: Set<string>; undeclared: Set<string> } {
  const declared = new Set(ctx.config.identityCenter.groups.map((g) => g.name));
  const existing = [...ctx.registry.groupIds.keys()];
  return { known: new Set(existing.filter((g) => declared.has(g))), undeclared: new Set(existing.filter((g) => !declared.has(g))) };
}

/**
 * Creates one user with their groups, checked by the same rules as a row of `users import`; refuses a user name that
 * exists (names are case-insensitive in Identity Store).
 */
export async function createPerson(ctx: IdentityContext, user: NewUser): Promise<{ user: string; groups: readonly string[]; userId: string }> {
  const { known, undeclared } = groupSets(ctx);
  const { row, errors } = validateUserRow(
    USER_COLUMNS.map((c) => user[c] ?? ''),
    known,
    undeclared,
  );
  if (!row || errors.length > 0) {
    throw new GroundworkError('USAGE', `the user cannot be created: ${errors.join('; ')}`, { hint: 'fix the fields named and send again' });
  }
  const stored = await readStoredUsers(ctx);
  if (stored.has(row.username.toLowerCase())) {
    throw new GroundworkError('USAGE', `user "${row.username}" already exists`, { hint: 'pick another user name, or change the groups of the existing user' });
  }
  const userId = await createUser(ctx, row as UserRow);
  for (const [i, group] of row.groups.entries()) {
    try {
      await addMembership(ctx, userId, group);
    } catch (error) {
      // The user exists now: say so, and which memberships were not made, with the cause's own code (403 stays 403).
      const cause = toGroundworkError(error);
      throw new GroundworkError(cause.code, `user "${row.username}" was created, but not added to ${row.groups.slice(i).join(', ')}: ${cause.message}`, {
        hint: cause.hint ?? 'add the memberships again from the People page or with groundwork users grant',
        cause: error,
      });
    }
  }
  return { user: row.username, groups: row.groups, userId };
}

/**
 * Deactivates a user: removes every group membership, so they reach no account through a group, and keeps the user
 * (and their history) in the store. Direct assignments made outside Groundwork are reported, not removed.
 */
export async function deactivatePerson(ctx: IdentityContext, username: string): Promise<{ user: string; removedFrom: readonly string[] }> {
  const stored = await readStoredUsers(ctx);
  const user = stored.get(username.toLowerCase());
  if (!user) throw new GroundworkError('USAGE', `user "${username}" does not exist`, { hint: 'pick a user from groundwork users list' });
  const removedFrom = [...user.memberships.keys()].sort();
  for (const membershipId of user.memberships.values()) await removeMembership(ctx, membershipId);
  return { user: user.username, removedFrom };
}
