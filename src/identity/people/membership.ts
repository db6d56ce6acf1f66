import { didYouMean } from '../../config/suggest.js';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../identity-context.js';
import { addMembership, readStoredUsers, removeMembership } from './identity-store-users.js';

/** Result of a grant or revoke. */
export interface MembershipChange {
  readonly user: string;
  readonly group: string;
  readonly changed: boolean;
}

async function resolve(ctx: IdentityContext, username: string, group: string) {
  if (!ctx.registry.groupIds.has(group)) {
    throw new GroundworkError('USAGE', `group "${group}" does not exist`, { hint: didYouMean(group, [...ctx.registry.groupIds.keys()]) });
  }
  const users = await readStoredUsers(ctx);
  const user = users.get(username.toLowerCase());
  if (!user) {
    throw new GroundworkError('USAGE', `user "${username}" does not exist`, {
      hint: `${didYouMean(
        username,
        [...users.values()].map((u) => u.username),
      )}; add people with groundwork users import FILE`,
    });
  }
  return user;
}

/** Adds a user to a group (idempotent). */
export async function grant(ctx: IdentityContext, username: string, group: string): Promise<MembershipChange> {
  const user = await resolve(ctx, username, group);
  if (user.memberships.has(group)) return { user: user.username, group, changed: false };
  await addMembership(ctx, user.id, group);
  return { user: user.username, group, changed: true };
}

/** Removes a user from a group (idempotent). */
export async function revoke(ctx: IdentityContext, username: string, group: string): Promise<MembershipChange> {
  const user = await resolve(ctx, username, group);
  const membershipId = user.memberships.get(group);
  if (!membershipId) return { user: user.username, group, changed: false };
  await removeMembership(ctx, membershipId);
  return { user: user.username, group, changed: true };
}
