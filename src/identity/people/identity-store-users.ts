import {
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  paginateListGroupMemberships,
  paginateListUsers,
  UpdateUserCommand,
} from '@aws-sdk/client-identitystore';
import { isError, isUnsupportedByEmulator } from '../../aws/aws-error.js';
import { mapLimit } from '../../engine/concurrency.js';
import { withRetry } from '../../engine/retry.js';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../identity-context.js';
import type { UserRow } from './user-row.js';

/** A user as the identity store holds it, with group names. */
export interface StoredUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
  /** Group name → membership ID. */
  readonly memberships: Map<string, string>;
}

/** Every user of the identity store with their group memberships, keyed by lower-case user name. */
export async function readStoredUsers(ctx: IdentityContext): Promise<Map<string, StoredUser>> {
  const { identityStoreId } = ctx.registry.requireInstance();
  const users = new Map<string, StoredUser>();
  const byId = new Map<string, StoredUser>();
  for await (const page of paginateListUsers({ client: ctx.identityStore }, { IdentityStoreId: identityStoreId })) {
    for (const u of page.Users ?? []) {
      if (!u.UserId || !u.UserName) continue;
      const user: StoredUser = {
        id: u.UserId,
        username: u.UserName,
        email: u.Emails?.find((e) => e.Primary)?.Value ?? u.Emails?.[0]?.Value ?? '',
        givenName: u.Name?.GivenName ?? '',
        familyName: u.Name?.FamilyName ?? '',
        displayName: u.DisplayName ?? '',
        memberships: new Map(),
      };
      users.set(user.username.toLowerCase(), user);
      byId.set(user.id, user);
    }
  }
  await mapLimit([...ctx.registry.groupIds], ctx.readConcurrency, async ([groupName, groupId]) => {
    for await (const page of paginateListGroupMemberships({ client: ctx.identityStore }, { IdentityStoreId: identityStoreId, GroupId: groupId })) {
      for (const m of page.GroupMemberships ?? []) {
        const user = m.MemberId && 'UserId' in m.MemberId ? byId.get(m.MemberId.UserId as string) : undefined;
        if (user && m.MembershipId) user.memberships.set(groupName, m.MembershipId);
      }
    }
  });
  return users;
}

/** What differs between a row and the stored user (attributes only). */
export function attributeChanges(row: UserRow, user: StoredUser): string[] {
  const changed: string[] = [];
  if (row.email.toLowerCase() !== user.email.toLowerCase()) changed.push('email');
  if (row.givenName !== user.givenName) changed.push('given_name');
  if (row.familyName !== user.familyName) changed.push('family_name');
  if (row.displayName !== user.displayName) changed.push('display_name');
  return changed;
}

async function userIdByName(ctx: IdentityContext, username: string): Promise<string | undefined> {
  const { identityStoreId } = ctx.registry.requireInstance();
  try {
    const { UserId } = await ctx.identityStore.send(
      new GetUserIdCommand({
        IdentityStoreId: identityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: username } },
      }),
    );
    return UserId;
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Creates a user; after an answer that was lost, checks whether it exists before trying again, so there is never a duplicate. */
export async function createUser(ctx: IdentityContext, row: UserRow): Promise<string> {
  const { identityStoreId } = ctx.registry.requireInstance();
  let userId: string | undefined;
  await withRetry(
    async () => {
      try {
        const created = await ctx.identityStoreOnce.send(
          new CreateUserCommand({
            IdentityStoreId: identityStoreId,
            UserName: row.username,
            DisplayName: row.displayName,
            Name: { GivenName: row.givenName, FamilyName: row.familyName },
            Emails: [{ Value: row.email, Type: 'work', Primary: true }],
          }),
        );
        userId = created.UserId;
      } catch (error) {
        if (!isError(error, 'ConflictException')) throw error;
        userId = await userIdByName(ctx, row.username);
      }
    },
    {
      recover: async () => {
        userId = await userIdByName(ctx, row.username);
        return userId !== undefined;
      },
    },
  );
  if (!userId) throw new GroundworkError('APPLY_FAILED', `creating user "${row.username}" returned no user ID`, { hint: 'run the import again' });
  return userId;
}

/** How an attribute update was carried out. */
export type UpdateOutcome = 'updated' | 'recreated';

/**
 * Updates a user's attributes with UpdateUser. The emulator (moto) has no UpdateUser, so in the sandbox the user is
 * deleted and created again with the new attributes, and the caller restores the memberships; the outcome says so.
 */
export async function updateUser(ctx: IdentityContext, user: StoredUser, row: UserRow): Promise<{ outcome: UpdateOutcome; userId: string }> {
  const { identityStoreId } = ctx.registry.requireInstance();
  try {
    // No SDK retries: the emulator answers "no such operation" with a 500, which must not be retried.
    const sandbox = ctx.clients.settings.target === 'sandbox';
    await withRetry(
      () =>
        ctx.identityStoreOnce.send(
          new UpdateUserCommand({
            IdentityStoreId: identityStoreId,
            UserId: user.id,
            Operations: [
              { AttributePath: 'displayName', AttributeValue: row.displayName },
              { AttributePath: 'name.givenName', AttributeValue: row.givenName },
              { AttributePath: 'name.familyName', AttributeValue: row.familyName },
              { AttributePath: 'emails', AttributeValue: [{ value: row.email, type: 'work', primary: true }] },
            ],
          }),
        ),
      { giveUpOn: (error) => sandbox && isUnsupportedByEmulator(error) },
    );
    return { outcome: 'updated', userId: user.id };
  } catch (error) {
    if (!(ctx.clients.settings.target === 'sandbox' && isUnsupportedByEmulator(error))) throw error;
  }
  await ctx.identityStore.send(new DeleteUserCommand({ IdentityStoreId: identityStoreId, UserId: user.id }));
  return { outcome: 'recreated', userId: await createUser(ctx, row) };
}

/** Adds a user to a group; an existing membership counts as done. */
export async function addMembership(ctx: IdentityContext, userId: string, group: string): Promise<string | undefined> {
  const { identityStoreId } = ctx.registry.requireInstance();
  const groupId = ctx.registry.group(group);
  let membershipId: string | undefined;
  const existing = async () => {
    try {
      const found = await ctx.identityStore.send(
        new GetGroupMembershipIdCommand({ IdentityStoreId: identityStoreId, GroupId: groupId, MemberId: { UserId: userId } }),
      );
      membershipId = found.MembershipId;
      return membershipId !== undefined;
    } catch (error) {
      if (isError(error, 'ResourceNotFoundException')) return false;
      throw error;
    }
  };
  await withRetry(
    async () => {
      try {
        const created = await ctx.identityStoreOnce.send(
          new CreateGroupMembershipCommand({ IdentityStoreId: identityStoreId, GroupId: groupId, MemberId: { UserId: userId } }),
        );
        membershipId = created.MembershipId;
      } catch (error) {
        if (!isError(error, 'ConflictException')) throw error;
      }
    },
    { recover: existing },
  );
  return membershipId;
}

/** Removes a membership; one already gone counts as done. */
export async function removeMembership(ctx: IdentityContext, membershipId: string): Promise<void> {
  const { identityStoreId } = ctx.registry.requireInstance();
  try {
    await ctx.identityStore.send(new DeleteGroupMembershipCommand({ IdentityStoreId: identityStoreId, MembershipId: membershipId }));
  } catch (error) {
    if (!isError(error, 'ResourceNotFoundException')) throw error;
  }
}
